import { randomBytes } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import { randomHexId } from '../../../lib/runtime/deps.ts'
import type { VendDeps } from '../../../lib/vend/vend-deps.ts'
import { nodeDigests } from './native-digests.ts'

/**
 * Runtime deps for Node and FC: the wall clock, pooled Web Crypto ids, `node:crypto`'s digests
 * (signing without Web Crypto's thread-pool hop), and a fetch — Node's built-in one unless the
 * caller hands in another; the Node server and both FC shapes hand in `createHttpFetch()`, which
 * measured faster than undici on a cold first call and on a warm server alike.
 */
/**
 * Monotonic milliseconds. `process.hrtime` rather than the `performance` global, whose first use
 * loads Node's perf_hooks (about 1 ms of every cold FC instance's first answer).
 */
const monotonicMs = (): number => Number(process.hrtime.bigint()) / 1e6

export const createNodeDeps = (options: { fetch?: typeof fetch } = {}): VendDeps => {
  return {
    fetch: options.fetch ?? ((input, init) => globalThis.fetch(input, init)),
    now: () => new Date(),
    randomId: randomHexId,
    digests: nodeDigests,
    sleep: sleepAtLeast,
    random: Math.random,
    elapsedMs: monotonicMs,
  }
}

/**
 * Sleeps at least `ms` by the monotonic clock. Node schedules a timer from the event loop's cached
 * time, which a busy loop leaves stale, so a bare timer can fire early; the governor's spacing
 * must never be shorter than it asked for.
 */
export const sleepAtLeast = async (ms: number): Promise<void> => {
  const until = monotonicMs() + ms
  for (let left = ms; left > 0; left = until - monotonicMs()) await sleep(Math.ceil(left))
}

export { jsonLineLog } from './stdout-log.ts'

/** Node's CSPRNG, handed to the emulator as its randomness. */
export const nodeRandomBytes = (length: number): Uint8Array => new Uint8Array(randomBytes(length))
