import { describe, expect, it, vi } from 'vitest'
import { createAuthenticator, MAX_JWT_BYTES } from '../../../lib/auth/authenticator.ts'
import { issuerVerifier } from '../../../lib/auth/jwt.ts'
import { createTokenCache, type TokenCache } from '../../../lib/auth/token-cache.ts'
import { configSchema } from '../../../lib/config/schema.ts'
import { heavyIssuer } from '../../helpers/heavy-tokens.ts'

const now = new Date('2030-01-01T00:00:00Z')
const nowSeconds = now.getTime() / 1000
const issuer = await heavyIssuer()
const issuerConfig = configSchema.shape.callers.shape.jwt.parse([issuer.config])[0]!

/** An authenticator keeping `tenant`, `team` and `groups`, whose key lookups and cache are watched. */
const watched = () => {
  const verifier = issuerVerifier(issuerConfig, { fetch })
  const keys = vi.fn(verifier.keys)
  const cache = createTokenCache()
  const tokenCache = { ...cache, get: vi.fn(cache.get), set: vi.fn(cache.set) } as TokenCache
  const authenticate = createAuthenticator({
    issuers: [{ config: verifier.config, keys }],
    apiKeys: new Map(),
    revokedKeys: new Set(),
    tokenCache,
    keptClaims: new Set(['tenant', 'team', 'groups']),
    now: () => now,
  })
  return { authenticate: (t: string) => authenticate(`Bearer ${t}`), keys, tokenCache }
}

const codeOf = (p: Promise<unknown>) =>
  p.then(
    () => 'accepted',
    (e: { code?: string }) => e.code,
  )

describe('authenticator: token size cap', () => {
  it('refuses a token over the cap as malformed, before the cache or any key is consulted', async () => {
    const w = watched()
    const token = await issuer.mint(1, nowSeconds, {}, MAX_JWT_BYTES + 200)
    expect(token.length).toBeGreaterThan(MAX_JWT_BYTES)
    expect(await codeOf(w.authenticate(token))).toBe('ERR_AUTH_MALFORMED')
    expect(await codeOf(w.authenticate('x'.repeat(MAX_JWT_BYTES + 1)))).toBe('ERR_AUTH_MALFORMED')
    expect(w.tokenCache.get).not.toHaveBeenCalled()
    expect(w.keys).not.toHaveBeenCalled()
  })

  it('accepts a valid token just under the cap', async () => {
    const w = watched()
    const token = await issuer.mint(1, nowSeconds, {}, MAX_JWT_BYTES)
    expect(token.length).toBeLessThanOrEqual(MAX_JWT_BYTES)
    expect(token.length).toBeGreaterThan(MAX_JWT_BYTES - 8)
    expect((await w.authenticate(token)).sub).toBe('user-1')
  })
})

describe('authenticator: kept claims', () => {
  it('keeps only the claims the configuration reads', async () => {
    const w = watched()
    const caller = await w.authenticate(await issuer.mint(7, nowSeconds))
    expect(Object.keys(caller.claims).sort()).toEqual(['groups', 'team', 'tenant'])
    expect(caller.claims.tenant).toBe('acme')
    expect(caller.claims.groups).toHaveLength(200)
    expect(caller.claims).not.toHaveProperty('blob')
    expect(caller.claims).not.toHaveProperty('iss')
  })

  it('the cached caller is the same reduced one', async () => {
    const w = watched()
    const token = await issuer.mint(8, nowSeconds)
    await w.authenticate(token)
    const again = await w.authenticate(token)
    expect(w.keys).toHaveBeenCalledTimes(1)
    expect(again.claims).not.toHaveProperty('blob')
  })

  it('drops a claim that is not a string or an array of strings, or is out of bounds, whole', async () => {
    const w = watched()
    const claimsOf = async (claims: Record<string, unknown>) =>
      (await w.authenticate(await issuer.mint(9, nowSeconds, claims, 0))).claims
    expect(await claimsOf({ tenant: 42, team: { a: 'b' }, groups: ['a', 1] })).toEqual({})
    expect(await claimsOf({ tenant: 'x'.repeat(1025), groups: ['g', 'y'.repeat(257)] })).toEqual({
      team: 'team-9',
    })
    expect(await claimsOf({ groups: Array.from({ length: 257 }, (_, i) => `g${i}`) })).toEqual({
      tenant: 'acme',
      team: 'team-9',
    })
    const atBounds = {
      tenant: 't'.repeat(1024),
      groups: [...Array.from({ length: 255 }, (_, i) => `g${i}`), 'z'.repeat(256)],
    }
    expect(await claimsOf(atBounds)).toEqual({ ...atBounds, team: 'team-9' })
  })
})
