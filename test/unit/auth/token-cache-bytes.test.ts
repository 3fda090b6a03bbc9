import { describe, expect, it } from 'vitest'
import type { VerifiedToken } from '../../../lib/auth/jwt.ts'
import { createTokenCache, TOKEN_CACHE_MAX_BYTES } from '../../../lib/auth/token-cache.ts'

const verified = (
  sub: string,
  claims: Record<string, unknown> = {},
  kid = 'k1',
  issuerId = 'web',
): VerifiedToken => ({
  caller: { id: `jwt.${issuerId}.${sub}`, kind: 'jwt', authority: issuerId, sub, claims },
  expiresAtMs: 10 ** 12,
  issuerId,
  kid,
})

const groups = (n: number) => Array.from({ length: n }, (_, i) => `group-${i}`.padEnd(200, '-'))

describe('verified-token cache: byte budget', () => {
  it('defaults to 8 MiB and never holds more, evicting the least recently used', () => {
    expect(TOKEN_CACHE_MAX_BYTES).toBe(8 * 1024 * 1024)
    const cache = createTokenCache(1_000_000)
    for (let i = 0; i < 5_000; i++) {
      cache.set(`h${i}`, verified(`user-${i}`, { groups: groups(40) }), 0)
      if (i === 0 || i % 100 === 0) cache.get('h0', 1)
      expect(cache.bytes).toBeLessThanOrEqual(TOKEN_CACHE_MAX_BYTES)
    }
    expect(cache.size).toBeLessThan(1000)
    expect(cache.bytes).toBeGreaterThan(TOKEN_CACHE_MAX_BYTES * 0.9)
    expect(cache.get('h0', 1)).toBeDefined()
    expect(cache.get('h1', 1)).toBeUndefined()
  })

  it('counts larger claims as larger entries', () => {
    const small = createTokenCache()
    small.set('h', verified('alice', { tenant: 'acme' }), 0)
    const large = createTokenCache()
    large.set('h', verified('alice', { tenant: 'acme', groups: groups(64) }), 0)
    expect(large.bytes - small.bytes).toBeGreaterThan(64 * 200 * 2)
  })

  it('gives bytes back on expiry, key-set change and caller purge', () => {
    const cache = createTokenCache(100, 1_000_000)
    cache.set('a', { ...verified('alice'), expiresAtMs: 1000 }, 0)
    const one = cache.bytes
    cache.set('b', verified('bob', { tenant: 'acme' }, 'k2'), 0)
    cache.set('c', verified('carol', { groups: groups(3) }), 0)
    cache.set('d', verified('dave', {}, 'k1', 'other'), 0)
    const all = cache.bytes
    expect(cache.get('a', 1000)).toBeUndefined()
    expect(cache.bytes).toBe(all - one)
    expect(cache.keySetChanged('web', new Set(['k1']))).toBe(1)
    expect(cache.purgeCaller('jwt.web.carol')).toBe(1)
    expect(cache.purgeCaller('jwt.other.dave')).toBe(1)
    expect([cache.size, cache.bytes]).toEqual([0, 0])
  })

  it('replacing an entry does not count it twice', () => {
    const cache = createTokenCache(100, 1_000_000)
    cache.set('a', verified('alice'), 0)
    const once = cache.bytes
    cache.set('a', verified('alice'), 0)
    expect(cache.bytes).toBe(once)
  })
})
