import { describe, expect, it, vi } from 'vitest'
import { createAuthenticator } from '../../../lib/auth/authenticator.ts'
import type { TokenCache } from '../../../lib/auth/token-cache.ts'
import type { NativeDigests } from '../../../lib/crypto/digests.ts'
import { sha256Hex } from '../../../lib/crypto/hmac.ts'
import { nodeDigests } from '../../../functions/node/platform/native-digests.ts'

const token = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl'
const caller = { kind: 'jwt', subject: 'alice' }

/** A cache that knows one token, by the hash it was stored under. */
const cacheHolding = (hash: string) => {
  const get = vi.fn((key: string) => (key === hash ? { caller } : undefined))
  return { cache: { get, set: vi.fn() } as unknown as TokenCache, get }
}

const authenticator = (tokenCache: TokenCache, digests?: NativeDigests) =>
  createAuthenticator({
    issuers: [],
    apiKeys: new Map(),
    revokedKeys: new Set(),
    tokenCache,
    keptClaims: new Set(),
    now: () => new Date('2030-01-01T00:00:00Z'),
    ...(digests ? { digests } : {}),
  })

describe('token-cache keys', () => {
  it("hash with the runtime's native SHA-256 when it has one, to the same key", async () => {
    const sha256Hex = vi.fn(nodeDigests.sha256Hex)
    const key = await sha256Hex(token)
    const { cache, get } = cacheHolding(key)
    const authenticate = authenticator(cache, { ...nodeDigests, sha256Hex })
    expect(await authenticate(`Bearer ${token}`)).toBe(caller)
    expect(sha256Hex).toHaveBeenCalledWith(token)
    expect(get).toHaveBeenCalledWith(key, expect.any(Number))
  })

  it("hash with Web Crypto's SHA-256 without one (Workers), to the same key", async () => {
    const { cache } = cacheHolding(await sha256Hex(token))
    expect(await authenticator(cache)(`Bearer ${token}`)).toBe(caller)
  })
})
