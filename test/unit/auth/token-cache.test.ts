import { describe, expect, it } from 'vitest'
import { createTokenCache } from '../../../lib/auth/token-cache.ts'
import type { VerifiedToken } from '../../../lib/auth/jwt.ts'

const verified = (kid: string, expiresAtMs: number, issuerId = 'web'): VerifiedToken => ({
  caller: {
    id: `jwt.${issuerId}.alice`,
    kind: 'jwt',
    authority: issuerId,
    sub: 'alice',
    claims: {},
  },
  expiresAtMs,
  issuerId,
  kid,
})

describe('verified-token cache', () => {
  it('keeps a token until the earlier of its exp and the key set max age', () => {
    const cache = createTokenCache()
    cache.set('h1', verified('k1', 500_000), 0)
    expect(cache.get('h1', 499_999)).toBeDefined()
    expect(cache.get('h1', 500_000)).toBeUndefined()
    cache.set('h2', verified('k1', 10 ** 12), 0)
    expect(cache.get('h2', 10 * 60_000)).toBeUndefined()
  })

  it('forgets tokens whose kid left their issuer key set, and only those', () => {
    const cache = createTokenCache()
    cache.set('a', verified('k1', 10 ** 12), 0)
    cache.set('b', verified('k2', 10 ** 12), 0)
    cache.set('c', verified('k1', 10 ** 12, 'other'), 0)
    expect(cache.keySetChanged('web', new Set(['k2']))).toBe(1)
    expect(cache.get('a', 1)).toBeUndefined()
    expect(cache.get('b', 1)).toBeDefined()
    expect(cache.get('c', 1)).toBeDefined()
  })

  it('is bounded', () => {
    const cache = createTokenCache(100)
    for (let i = 0; i < 1000; i++) cache.set(`t${i}`, verified('k1', 10 ** 12), 0)
    expect(cache.size).toBe(100)
  })
})
