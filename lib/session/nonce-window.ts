/** Claims login nonces: this instance's window, or one shared with the others. @internal */
export interface NonceClaims {
  /** True the first time `key` is offered within the window; false for a replay. */
  claim(key: string, nowMs: number): boolean | Promise<boolean>
}

/**
 * Nonces seen within a time window, so a signed login cannot be replayed to credvend even while
 * STS would still accept it. Entries older than the window are dropped as new ones arrive.
 * @internal
 */
export const createNonceWindow = (windowMs: number, maxEntries = 100_000) => {
  const seen = new Map<string, number>()
  return {
    /** True the first time `key` is offered within the window; false for a replay. */
    claim(key: string, nowMs: number): boolean {
      for (const [k, at] of seen) {
        if (nowMs - at <= windowMs) break // insertion order is time order
        seen.delete(k)
      }
      if (seen.has(key)) return false
      if (seen.size >= maxEntries) seen.delete(seen.keys().next().value!)
      seen.set(key, nowMs)
      return true
    },
  }
}

/** @internal */
export type NonceWindow = ReturnType<typeof createNonceWindow>
