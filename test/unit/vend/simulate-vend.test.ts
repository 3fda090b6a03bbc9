import { exportJWK, generateKeyPair, SignJWT } from 'jose'
import { describe, expect, it } from 'vitest'
import { createAuthenticator } from '../../../lib/auth/authenticator.ts'
import { issuerVerifier } from '../../../lib/auth/jwt.ts'
import { createTokenCache } from '../../../lib/auth/token-cache.ts'
import { loadConfig, type LoadedConfig } from '../../../lib/config/load.ts'
import { usedClaims } from '../../../lib/config/used-claims.ts'
import { isVendError } from '../../../lib/errors.ts'
import { simulateCaller, type SimulatedCredential } from '../../../lib/vend/simulate-caller.ts'
import { simulateVend } from '../../../lib/vend/simulate-vend.ts'

const NOW = new Date('2030-01-01T00:00:00Z')
const NOW_S = NOW.getTime() / 1000
const PLACEHOLDER = async () => '0'.repeat(64)

const baseConfig = (jwks: unknown = { keys: [] }) => ({
  region: 'cn-hangzhou',
  sts: { endpoint: 'https://sts.cn-hangzhou.aliyuncs.com' },
  callers: {
    jwt: [
      { id: 'web', issuer: 'https://login.example.com', audience: ['credvend', 'other'], jwks },
      {
        id: 'ack',
        kind: 'workload',
        issuer: 'https://oidc.ack.example.com',
        audience: 'credvend',
        algorithms: ['EdDSA'],
        maxTokenLifetimeSeconds: 600,
        jwks,
      },
      {
        id: 'typed',
        issuer: 'https://typed.example.com',
        audience: 'credvend',
        type: 'at+jwt',
        jwks,
      },
    ],
    apiKeys: [
      { id: 'acme', sha256: ['a'.repeat(64)] },
      { id: 'gone', sha256: ['b'.repeat(64)], disabled: true },
      { id: 'old', sha256: ['c'.repeat(64)], expires: '2029-01-01T00:00:00Z' },
    ],
  },
  sessionNameKey: { env: 'SESSION_NAME_KEY' },
  kms: { endpoint: 'https://kms.cn-hangzhou.aliyuncs.com' },
  profiles: {
    upload: {
      kind: 'oss-upload',
      allow: [{ jwt: 'web', claims: { role: 'member' } }],
      roleArn: 'acs:ram::1234567890123456:role/upload',
      bucket: 'example-avatars',
      region: 'oss-cn-hangzhou',
      prefix: 'users/${caller.id}/',
      actions: ['put'],
    },
    tenant: {
      kind: 'sts',
      allow: [{ jwt: 'web' }],
      roleArn: 'acs:ram::1234567890123456:role/tenant',
      variables: { 'claims.tenant': { pattern: '^[a-z-]{1,20}$' } },
      parameters: { folder: { pattern: '^[a-z]{1,16}$' } },
      sessionPolicy: {
        Version: '1',
        Statement: [
          {
            Effect: 'Allow',
            Action: 'oss:GetObject',
            Resource: 'acs:oss:*:*:b/${claims.tenant}/${params.folder}/*',
          },
        ],
      },
    },
    billing: {
      kind: 'sts',
      allow: [{ jwt: 'ack', sub: 'system:serviceaccount:billing:*' }],
      roleArn: 'acs:ram::1234567890123456:role/billing',
    },
    partner: {
      kind: 'sts',
      allow: [{ apiKey: 'acme' }, { apiKey: 'gone' }, { apiKey: 'old' }],
      roleArn: 'acs:ram::1234567890123456:role/partner',
      sessionName: 'pseudonymous',
    },
    off: {
      kind: 'sts',
      allow: [{ apiKey: 'acme' }],
      roleArn: 'acs:ram::1234567890123456:role/off',
      disabled: true,
    },
    keys: { kind: 'access-key', allow: [{ apiKey: 'acme' }], secretName: 'acme-key' },
  },
})

const load = (config: unknown = baseConfig()) => loadConfig(JSON.stringify(config), PLACEHOLDER)

const jwt = (claims: Record<string, unknown>): SimulatedCredential => ({ kind: 'jwt', claims })

/** The server's refusal code for a simulated caller, or its id. */
const outcome = async (loaded: LoadedConfig, credential: SimulatedCredential) => {
  try {
    return (await simulateCaller(loaded, credential, NOW)).id
  } catch (error) {
    if (isVendError(error)) return error.code
    throw error
  }
}

describe('simulateCaller', () => {
  it.each([
    ['EdDSA', 'https://oidc.ack.example.com', 'system:serviceaccount:billing:api'],
    ['RS256', 'https://login.example.com', 'alice'],
  ] as const)(
    'yields the caller the server authenticates from a really signed %s token',
    async (alg, iss, sub) => {
      const { privateKey, publicKey } = await generateKeyPair(alg)
      const loaded = await load(baseConfig({ keys: [await exportJWK(publicKey)] }))
      const claims = { iss, sub, aud: 'credvend', role: 'member', tenant: 'acme', unread: 'x' }
      const token = await new SignJWT({ ...claims, iat: NOW_S, exp: NOW_S + 300 })
        .setProtectedHeader({ alg, typ: 'JWT' })
        .sign(privateKey)
      const authenticate = createAuthenticator({
        issuers: loaded.config.callers.jwt.map((c) => issuerVerifier(c, { fetch })),
        apiKeys: loaded.apiKeys,
        revokedKeys: new Set(),
        tokenCache: createTokenCache(),
        keptClaims: usedClaims(loaded.config),
        now: () => NOW,
      })
      const server = await authenticate(`Bearer ${token}`)
      expect(await simulateCaller(loaded, jwt(claims), NOW)).toEqual(server)
      expect(server.claims).not.toHaveProperty('unread')
    },
  )

  it('chooses the issuer by iss alone, never one the profile happens to allow', async () => {
    const loaded = await load()
    expect(await outcome(loaded, jwt({ iss: 'https://evil.example.com', sub: 'alice' }))).toBe(
      'ERR_AUTH_ISSUER',
    )
    expect(await outcome(loaded, jwt({ sub: 'alice' }))).toBe('ERR_AUTH_ISSUER')
  })

  it("checks what the claims say as the server does: audience, STS's audience, times, sub", async () => {
    const loaded = await load()
    const web = { iss: 'https://login.example.com', sub: 'alice' }
    expect(await outcome(loaded, jwt(web))).toBe('jwt.web.alice')
    expect(await outcome(loaded, jwt({ ...web, aud: 'other' }))).toBe('jwt.web.alice')
    expect(await outcome(loaded, jwt({ ...web, aud: 'someone-else' }))).toBe('ERR_AUTH_AUDIENCE')
    expect(await outcome(loaded, jwt({ ...web, aud: ['credvend', 'sts.aliyuncs.com'] }))).toBe(
      'ERR_AUTH_AUDIENCE',
    )
    expect(await outcome(loaded, jwt({ ...web, exp: NOW_S - 3600 }))).toBe('ERR_AUTH_EXPIRED')
    expect(await outcome(loaded, jwt({ ...web, sub: '' }))).toBe('ERR_AUTH_CLAIMS')
    const ack = { iss: 'https://oidc.ack.example.com', sub: 'system:serviceaccount:billing:api' }
    expect(await outcome(loaded, jwt(ack))).toMatch(/^jwth\.ack\./)
    expect(await outcome(loaded, jwt({ ...ack, iat: NOW_S, exp: NOW_S + 3600 }))).toBe(
      'ERR_AUTH_CLAIMS',
    )
    expect(
      await outcome(loaded, jwt({ iss: 'https://typed.example.com', sub: 'svc', aud: 'credvend' })),
    ).toBe('jwt.typed.svc')
  })

  it("applies an API key's own state: unknown, disabled and expired keys are refused", async () => {
    const loaded = await load()
    const key = (id: string) => outcome(loaded, { kind: 'apiKey', id })
    expect(await key('acme')).toBe('key.acme')
    expect(await key('gone')).toBe('ERR_AUTH_KEY_REVOKED')
    expect(await key('old')).toBe('ERR_AUTH_KEY_EXPIRED')
    expect(await key('nobody')).toBe('ERR_AUTH_KEY_INVALID')
    expect(await key('UPPER')).toBe('ERR_AUTH_KEY_INVALID')
  })
})

describe('simulateVend', () => {
  const alice = jwt({ iss: 'https://login.example.com', sub: 'alice', role: 'member' })
  const run = async (
    profile: string,
    credential: SimulatedCredential,
    parameters: Record<string, string> = {},
    realSecrets = false,
    config?: unknown,
  ) => simulateVend(await load(config), { profile, credential, parameters, now: NOW, realSecrets })

  it('renders the policy and the upload prefix of an admitted caller', async () => {
    const result = await run('upload', alice)
    expect(result.ok).toBe(true)
    if (!result.ok) return
    expect(result.prefix).toBe('users/jwt.web.alice/')
    expect(result.policy?.text).toContain('example-avatars/users/jwt.web.alice/*')
    expect(result.sessionName).toBe('jwt.web.alice')
    expect(result.roleArn).toBe('acs:ram::1234567890123456:role/upload')
  })

  it('renders declared parameters and claims into the template', async () => {
    const tenant = jwt({ iss: 'https://login.example.com', sub: 'carol', tenant: 'acme' })
    const result = await run('tenant', tenant, { folder: 'reports' })
    expect(result).toMatchObject({ ok: true, prefix: undefined })
    if (result.ok) expect(result.policy?.text).toContain('acs:oss:*:*:b/acme/reports/*')
  })

  it.each([
    ['a caller outside the allow rules', 'upload', { sub: 'bob', role: 'guest' }, /no allow rule/],
    ['a disabled profile', 'off', undefined, /is disabled/],
    ['an access-key profile off the internal routes', 'keys', undefined, /exposeInternalRoutes/],
  ])('answers 404 with the reason for %s', async (_, profile, claims, reason) => {
    const credential: SimulatedCredential = claims
      ? jwt({ iss: 'https://login.example.com', ...claims })
      : { kind: 'apiKey', id: 'acme' }
    const result = await run(profile, credential)
    expect(result.ok).toBe(false)
    if (result.ok) return
    expect(result.error.code).toBe('ERR_NOT_FOUND')
    expect(result.reason).toMatch(reason)
  })

  it('serves an access-key profile where the internal routes are exposed', async () => {
    const config = { ...baseConfig(), exposeInternalRoutes: true }
    const result = await run('keys', { kind: 'apiKey', id: 'acme' }, {}, false, config)
    expect(result).toMatchObject({ ok: true, kind: 'access-key', policy: undefined })
  })

  it.each([
    ['an undeclared parameter', 'tenant', { folder: 'a', other: 'b' }, 'ERR_BAD_REQUEST'],
    ['a missing parameter', 'tenant', {}, 'ERR_BAD_REQUEST'],
    ['a value its pattern refuses', 'tenant', { folder: 'UPPER' }, 'ERR_POLICY_VALUE'],
    ['parameters to a profile without a template', 'billing', { x: 'y' }, 'ERR_BAD_REQUEST'],
  ])('refuses %s with the server’s error', async (_, profile, parameters, code) => {
    const credential =
      profile === 'billing'
        ? jwt({ iss: 'https://oidc.ack.example.com', sub: 'system:serviceaccount:billing:x' })
        : jwt({ iss: 'https://login.example.com', sub: 'carol', tenant: 'acme' })
    const result = await run(profile, credential, parameters)
    expect(result.ok).toBe(false)
    if (!result.ok) expect(result.error.code).toBe(code)
  })

  it('refuses a hostile claim value the template will not render', async () => {
    const result = await run(
      'tenant',
      jwt({ iss: 'https://login.example.com', sub: 'mallory', tenant: '*' }),
      { folder: 'x' },
    )
    expect(result.ok).toBe(false)
    if (!result.ok) expect(result.error.code).toBe('ERR_POLICY_VALUE')
  })

  it('computes a pseudonymous session name only with the real key', async () => {
    const acme = { kind: 'apiKey', id: 'acme' } as const
    expect(await run('partner', acme)).toMatchObject({ ok: true, sessionName: undefined })
    expect(await run('partner', acme, {}, true)).toMatchObject({
      ok: true,
      sessionName: expect.stringMatching(/^p-[0-9a-f]{30}$/),
    })
  })
})
