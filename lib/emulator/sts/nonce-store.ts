/**
 * Remembers signature nonces for as long as their timestamps could still be accepted, so a
 * captured request cannot be replayed inside the window. Entries older than the window are
 * dropped as new ones arrive, which bounds memory by traffic within one window.
 * @internal
 */
export const createNonceStore = (windowMs: number) => {
  const seen = new Map<string, number>()
  return {
    /** Records the nonce; returns false if it was already used within the window. */
    claim(accessKeyId: string, nonce: string, nowMs: number): boolean {
      for (const [key, at] of seen) {
        if (nowMs - at <= 2 * windowMs) break // Map keeps insertion order: the rest are newer
        seen.delete(key)
      }
      const key = `${accessKeyId}\n${nonce}`
      if (seen.has(key)) return false
      seen.set(key, nowMs)
      return true
    },
  }
}

/** @internal */
export type NonceStore = ReturnType<typeof createNonceStore>
