import { gcra, type RateLimit, type RateLimiter } from '../limits/rate-limiter.ts'
import type { NonceWindow } from '../session/nonce-window.ts'
import type { NonceClaims } from '../session/nonce-window.ts'
import { DOWN, type SharedState } from './shared-state.ts'

/**
 * A rate limit kept in the shared store (the same GCRA, on the store's clock), falling back to
 * this instance's limiter while the store is down.
 * @internal
 */
export const sharedRateLimiter = (
  name: string,
  limit: RateLimit | null,
  shared: SharedState,
  local: RateLimiter,
) => {
  const { intervalMs, toleranceMs } = gcra(limit)
  return {
    async take(key: string): Promise<number | undefined> {
      if (!limit) return undefined
      const wait = await shared.takeRate(name, key, intervalMs, toleranceMs)
      return wait === DOWN ? local.take(key) : wait
    },
  }
}

/**
 * Login nonces claimed here and in the shared store: a replay is refused by any instance, and by
 * this one even while the store is down.
 * @internal
 */
export const sharedNonces = (
  local: NonceWindow,
  shared: SharedState,
  windowMs: number,
): NonceClaims => ({
  async claim(key: string, nowMs: number): Promise<boolean> {
    if (!local.claim(key, nowMs)) return false
    const claimed = await shared.claim(key, windowMs)
    return claimed === DOWN ? true : claimed
  },
})
