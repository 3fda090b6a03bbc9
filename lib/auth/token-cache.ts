import { createLru } from '../cache/lru.ts'
import { JWKS_MAX_AGE_MS, type VerifiedToken } from './jwt.ts'

/**
 * Tokens already verified, keyed by the SHA-256 of the token (never the token itself), kept
 * until the earlier of `exp` and the key set's maximum age, and forgotten as soon as their `kid`
 * leaves the issuer's key set. Bounded, so it cannot grow without limit.
 * @internal
 */
export const createTokenCache = (maxEntries = 10_000) => {
  const entries = createLru<string, VerifiedToken & { validUntilMs: number }>(maxEntries)
  return {
    get(tokenHash: string, nowMs: number): VerifiedToken | undefined {
      const entry = entries.get(tokenHash)
      if (!entry) return undefined
      if (nowMs >= entry.validUntilMs) {
        entries.delete(tokenHash)
        return undefined
      }
      return entry
    },
    set(tokenHash: string, verified: VerifiedToken, nowMs: number): void {
      entries.set(tokenHash, {
        ...verified,
        validUntilMs: Math.min(verified.expiresAtMs, nowMs + JWKS_MAX_AGE_MS),
      })
    },
    /** Called with each freshly fetched key set: drops tokens whose key is gone. */
    keySetChanged(issuerId: string, kids: ReadonlySet<string>): number {
      return entries.purge(
        (_, e) => e.issuerId === issuerId && (e.kid === undefined || !kids.has(e.kid)),
      )
    },
    purgeCaller: (callerId: string) => entries.purge((_, e) => e.caller.id === callerId),
    get size() {
      return entries.size
    },
  }
}

/** @internal */
export type TokenCache = ReturnType<typeof createTokenCache>
