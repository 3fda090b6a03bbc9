import { createLru } from '../cache/lru.ts'
import { JWKS_MAX_AGE_MS, type VerifiedToken } from './jwt.ts'

/** The default byte budget: a small share of a 128 MB Workers isolate, whatever the tokens hold. */
export const TOKEN_CACHE_MAX_BYTES = 8 * 1024 * 1024

/**
 * What an entry costs besides its strings' characters: the Map slot, the entry, caller and claims
 * objects, their numbers and string headers. About 500 bytes on V8 (64-bit, no pointer
 * compression), measured with ordinary tokens.
 */
const ENTRY_OVERHEAD_BYTES = 512

/** An array claim's item: its slot in the array and its own string header. */
const ITEM_OVERHEAD_BYTES = 32

/** The SHA-256 hex key. */
const KEY_CHARS = 64

const arrayItems = (claims: Readonly<Record<string, unknown>>) =>
  Object.values(claims).reduce<number>((n, v) => n + (Array.isArray(v) ? v.length : 0), 0)

/**
 * An estimate of an entry's heap, on the high side: two bytes per UTF-16 unit of every string it
 * holds (V8 stores ASCII in one), plus fixed overheads. The claims were bounded when the token
 * was verified, so serialising them is cheap.
 */
const entryBytes = ({ caller, kid }: VerifiedToken) =>
  2 * (caller.id.length + caller.sub.length + JSON.stringify(caller.claims).length) +
  2 * (KEY_CHARS + (kid?.length ?? 0)) +
  ITEM_OVERHEAD_BYTES * arrayItems(caller.claims) +
  ENTRY_OVERHEAD_BYTES

type Entry = VerifiedToken & { readonly validUntilMs: number }

/**
 * Tokens already verified, keyed by the SHA-256 of the token (never the token itself), kept
 * until the earlier of `exp` and the key set's maximum age, and forgotten as soon as their `kid`
 * leaves the issuer's key set. Bounded in entries and in estimated bytes, so neither many tokens
 * nor large ones can grow it without limit.
 * @internal
 */
export const createTokenCache = (maxEntries = 10_000, maxBytes = TOKEN_CACHE_MAX_BYTES) => {
  const entries = createLru<string, Entry>(maxEntries, {
    maxSize: maxBytes,
    // Asked once per entry, when it is set; the cache keeps the answer.
    sizeOf: entryBytes,
  })
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
    /** The estimated heap the entries hold; never above the byte budget. */
    get bytes() {
      return entries.totalSize
    },
  }
}

/** @internal */
export type TokenCache = ReturnType<typeof createTokenCache>
