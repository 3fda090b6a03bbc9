import net from 'node:net'
import { connectTarget, isAllowedHost } from '../helpers/loopback.ts'

/**
 * The test-environment contract: no test reaches beyond loopback. Every TCP connection in Node —
 * fetch/undici, node:http (the official SDKs), TLS — goes through Socket#connect, so refusing
 * non-loopback hosts there covers them all, the ECS metadata host 100.100.100.200 included.
 */
const original = net.Socket.prototype.connect

net.Socket.prototype.connect = function guardedConnect(this: net.Socket, ...args: unknown[]) {
  const host = connectTarget(args)
  if (host !== undefined && !isAllowedHost(host)) {
    const error = Object.assign(
      new Error(`test contract: connection to ${host} refused (tests stay on loopback)`),
      { code: 'ERR_TEST_NON_LOOPBACK' },
    )
    process.nextTick(() => this.destroy(error))
    return this
  }
  return (original as (...a: unknown[]) => net.Socket).apply(this, args)
} as typeof original

// Belt and braces for the official credential chain: never even try the metadata service.
process.env.ALIBABA_CLOUD_ECS_METADATA_DISABLED = 'true'
