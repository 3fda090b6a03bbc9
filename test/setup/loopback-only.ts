import net from 'node:net'
import { isLoopbackHost } from '../helpers/loopback.ts'

/**
 * The test-environment contract: no test reaches beyond loopback. Every TCP connection in Node —
 * fetch/undici, node:http (the official SDKs), TLS — goes through Socket#connect, so refusing
 * non-loopback hosts there covers them all, the ECS metadata host 100.100.100.200 included.
 */
const original = net.Socket.prototype.connect
type ConnectArgs = Parameters<typeof original>

const targetHost = (args: unknown[]): string | undefined => {
  const [first] = args
  if (Array.isArray(first)) return targetHost(first)
  if (typeof first === 'object' && first !== null) {
    const options = first as { host?: string; path?: string }
    if (options.path !== undefined) return 'localhost' // a Unix socket never leaves the machine
    return options.host ?? 'localhost'
  }
  if (typeof first === 'number' || (typeof first === 'string' && /^\d+$/.test(first))) {
    return typeof args[1] === 'string' ? args[1] : 'localhost'
  }
  return 'localhost' // a path string: Unix socket
}

net.Socket.prototype.connect = function guardedConnect(this: net.Socket, ...args: ConnectArgs) {
  const host = targetHost(args)
  if (host !== undefined && !isLoopbackHost(host)) {
    const error = Object.assign(
      new Error(`test contract: connection to ${host} refused (tests stay on loopback)`),
      { code: 'ERR_TEST_NON_LOOPBACK' },
    )
    process.nextTick(() => this.destroy(error))
    return this
  }
  return original.apply(this, args)
} as typeof original

// Belt and braces for the official credential chain: never even try the metadata service.
process.env.ALIBABA_CLOUD_ECS_METADATA_DISABLED = 'true'
