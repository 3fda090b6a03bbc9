import { randomBytes } from 'node:crypto'
import { Agent, fetch as undiciFetch } from 'undici'
import { setTimeout as sleep } from 'node:timers/promises'
import { randomHexId } from '../../lib/runtime/deps.ts'
import type { LogSink } from '../../lib/log.ts'
import type { VendDeps } from '../../lib/vend/vend-deps.ts'

/**
 * Runtime deps for Node: undici with a keep-alive pool (STS and KMS are called again and again
 * from one instance, so reused TLS connections matter), the wall clock, Web Crypto ids.
 */
export const createNodeDeps = (): VendDeps => {
  const dispatcher = new Agent({ keepAliveTimeout: 30_000, connections: 64 })
  const fetchWithPool = ((input: string | URL, init?: RequestInit) =>
    undiciFetch(input, { ...(init as object), dispatcher })) as unknown as typeof fetch
  return {
    fetch: fetchWithPool,
    now: () => new Date(),
    randomId: randomHexId,
    sleep: (ms) => sleep(ms).then(() => undefined),
    random: Math.random,
  }
}

/** One JSON object per line on stdout: what log collectors on FC and servers expect. */
export const jsonLineLog: LogSink = (entry) => {
  process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), ...entry })}\n`)
}

/** Node's CSPRNG, handed to the emulator as its randomness. */
export const nodeRandomBytes = (length: number): Uint8Array => new Uint8Array(randomBytes(length))
