import { createLru } from '../cache/lru.ts'

/** @public */
export interface RateLimit {
  readonly perSecond: number
  readonly burst: number
}

/** GCRA's emission interval and burst tolerance for a limit; the shared limiter uses the same. @internal */
export const gcra = (limit: RateLimit | null) => {
  const intervalMs = limit ? 1000 / limit.perSecond : 0
  return { intervalMs, toleranceMs: limit ? intervalMs * (limit.burst - 1) : 0 }
}

/**
 * Per-key rate limits by the generic cell-rate algorithm: `burst` requests at once, then one
 * every `1 / perSecond` seconds. Keys live in an LRU, so memory stays bounded; a forgotten key
 * starts afresh, which only ever errs towards letting a quiet key through.
 * @public
 */
export const createRateLimiter = (
  limit: RateLimit | null,
  options: { maxKeys: number; now: () => Date },
) => {
  const { intervalMs, toleranceMs } = gcra(limit)
  const theoretical = createLru<string, number>(options.maxKeys)
  return {
    /** Takes one request for `key`; answers how many seconds to wait when it is over the limit. */
    take(key: string): number | undefined {
      if (!limit) return undefined
      const nowMs = options.now().getTime()
      let tat = theoretical.get(key) ?? nowMs
      // Further ahead than any admitted request can put it: the clock went back, start afresh.
      if (tat - nowMs > toleranceMs + intervalMs) tat = nowMs
      tat = Math.max(tat, nowMs)
      if (tat - nowMs > toleranceMs)
        return Math.max(1, Math.ceil((tat - toleranceMs - nowMs) / 1000))
      theoretical.set(key, tat + intervalMs)
      return undefined
    },
    get size() {
      return theoretical.size
    },
  }
}

/** @public */
export type RateLimiter = ReturnType<typeof createRateLimiter>
