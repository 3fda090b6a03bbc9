import { exportJWK, generateKeyPair, SignJWT } from 'jose'
import { MAX_JWT_BYTES } from '../../lib/auth/authenticator.ts'
import { loadConfig } from '../../lib/config/load.ts'
import type { ConfigInput } from '../../lib/config/schema.ts'
import { buildGeneration } from '../../lib/generation.ts'
import { randomHexId } from '../../lib/runtime/deps.ts'

const HEAVY_ISSUER = 'https://idp.heavy.example'

/** How long the tokens are, in characters: near the cap, as a hostile or careless IdP would send. */
const HEAVY_TOKEN_CHARS = 15_000

/** Groups per token: within the kept-claim bounds, so every group survives verification. */
const GROUPS = 200

/**
 * An inline ES256 issuer and a minter of tokens about `HEAVY_TOKEN_CHARS` long. Each token carries
 * the claims a config may read (`tenant`, `team`, a 200-item `groups` array, all distinct per
 * token) and a `blob` no config reads, padding the token to its length.
 */
export const heavyIssuer = async (id = 'heavy') => {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true })
  const kid = `${id}-1`
  const jwk = { ...(await exportJWK(publicKey)), kty: 'EC', kid, alg: 'ES256', use: 'sig' }
  const config = {
    id,
    issuer: HEAVY_ISSUER,
    audience: 'credvend',
    algorithms: ['ES256' as const],
    jwks: { keys: [jwk] },
  }
  const sign = (payload: Record<string, unknown>) =>
    new SignJWT(payload).setProtectedHeader({ alg: 'ES256', kid, typ: 'JWT' }).sign(privateKey)
  /** Token `i`, issued at `nowSeconds`; `claims` replaces any of the default claims. */
  const mint = async (
    i: number,
    nowSeconds: number,
    claims: Record<string, unknown> = {},
    chars = HEAVY_TOKEN_CHARS,
  ) => {
    const payload = {
      iss: HEAVY_ISSUER,
      aud: 'credvend',
      sub: `user-${i}`,
      iat: nowSeconds,
      exp: nowSeconds + 3600,
      tenant: 'acme',
      team: `team-${i}`,
      groups: Array.from({ length: GROUPS }, (_, g) => `group-${i}-${g}`.padEnd(24, '-')),
      ...claims,
    }
    const bare = await sign({ ...payload, blob: '' })
    // Base64url turns every 3 payload bytes into 4 characters.
    const blob = 'u'.repeat(Math.max(0, Math.floor(((chars - bare.length) * 3) / 4)))
    return sign({ ...payload, blob })
  }
  return { config, jwk, mint }
}

/** Reads `tenant` and `groups` in rules and `team` as a template variable; never `blob`. */
const heavyConfig = (issuer: Awaited<ReturnType<typeof heavyIssuer>>['config']) =>
  ({
    region: 'cn-hangzhou',
    sts: { endpoint: 'http://127.0.0.1:9/' },
    callers: { jwt: [issuer] },
    profiles: {
      tenant: {
        kind: 'sts',
        allow: [
          { jwt: issuer.id, claims: { tenant: 'acme' } },
          { jwt: issuer.id, claims: { groups: 'admins' } },
        ],
        roleArn: 'acs:ram::1234567890123456:role/app',
        variables: { 'claims.team': {} },
      },
    },
  }) satisfies ConfigInput

/**
 * Authenticates `count` distinct heavy tokens through a generation built as credvend builds one,
 * and reports the heap still held afterwards. Needs `node --expose-gc`.
 */
export const measureRetainedHeap = async (count: number) => {
  const gc = globalThis.gc
  if (!gc) throw new Error('run with node --expose-gc')
  const now = new Date('2030-01-01T00:00:00Z')
  const nowSeconds = now.getTime() / 1000
  const issuer = await heavyIssuer()
  const loaded = await loadConfig(JSON.stringify(heavyConfig(issuer.config)), () =>
    Promise.reject(new Error('no secrets here')),
  )
  const generation = buildGeneration(loaded, {
    deps: {
      fetch: () => Promise.reject(new Error('no network here')),
      now: () => now,
      randomId: randomHexId,
    },
    revokedKeys: new Set(),
    nonces: { claim: () => true },
    onLoginStsCall: () => {},
    gate: (send) => send(),
  })
  const authenticate = (token: string) => generation.authenticate(`Bearer ${token}`)
  // Compiles every path once, so the baseline does not count code or jose's imported key.
  await authenticate(await issuer.mint(-1, nowSeconds))
  gc()
  gc()
  const before = process.memoryUsage().heapUsed
  let longest = 0
  for (let i = 0; i < count; i++) {
    const token = await issuer.mint(i, nowSeconds)
    longest = Math.max(longest, token.length)
    await authenticate(token)
  }
  gc()
  gc()
  const after = process.memoryUsage().heapUsed
  return {
    count,
    longestToken: longest,
    maxJwtBytes: MAX_JWT_BYTES,
    retainedBytes: after - before,
    cacheEntries: generation.tokenCache.size,
    cacheBytes: generation.tokenCache.bytes,
  }
}
