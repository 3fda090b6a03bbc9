import { exportJWK, generateKeyPair, SignJWT, type JWTPayload } from 'jose'
import { assemble } from '../../lib/assemble.ts'
import { createApiKey } from '../../lib/auth/api-key.ts'
import type { ConfigInput } from '../../lib/config/schema.ts'
import { fromStatic } from '../../lib/credentials/provider.ts'
import { randomHexId } from '../../lib/runtime/deps.ts'
import { nodeRandomBytes, sleepAtLeast } from '../../functions/node/platform/deps.ts'
import { startTestEmulator } from './emulator.ts'

export const ISSUER = 'https://login.example.com'
export const AUDIENCE = 'credvend'

/** A signing key for test tokens, and the public JWKS to configure. */
export const makeSigner = async (alg: 'RS256' | 'ES256' = 'RS256', kid = 'k1') => {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true })
  const jwk = {
    ...(await exportJWK(publicKey)),
    kid,
    alg,
    use: 'sig',
    kty: alg === 'RS256' ? 'RSA' : 'EC',
  }
  const sign = (
    claims: JWTPayload = {},
    options: {
      header?: Record<string, unknown>
      iss?: string
      aud?: string | string[]
      sub?: string
      exp?: string | number
      nbf?: number
    } = {},
  ) => {
    const jwt = new SignJWT({ ...claims })
      .setProtectedHeader({ alg, kid, typ: 'JWT', ...options.header } as { alg: string })
      .setIssuer(options.iss ?? ISSUER)
      .setAudience(options.aud ?? AUDIENCE)
      .setSubject(options.sub ?? 'alice')
      .setIssuedAt()
      .setExpirationTime(options.exp ?? '10m')
    if (options.nbf !== undefined) jwt.setNotBefore(options.nbf)
    return jwt.sign(privateKey)
  }
  return { privateKey, publicKey, jwk, sign, alg, kid }
}

/** The browser origin the harness's upload profiles list for CORS. */
export const APP_ORIGIN = 'https://app.example.com'
export const FORM_MAX_BYTES = 1024

export const UPLOAD_TEMPLATE = {
  Version: '1',
  Statement: [
    {
      Effect: 'Allow',
      Action: ['oss:PutObject'],
      Resource: ['acs:oss:*:*:demo-bucket/users/${caller.id}/${params.folder}/*'],
    },
    {
      Effect: 'Allow',
      Action: ['oss:GetObject'],
      Resource: ['acs:oss:*:*:demo-bucket/tenants/${claims.tenant}/*'],
    },
  ],
}

type JwtIssuerInput = NonNullable<ConfigInput['callers']['jwt']>[number]

/** A config with more JWT issuers beside the harness's own. */
export const withIssuers = (c: ConfigInput, ...issuers: JwtIssuerInput[]): ConfigInput => ({
  ...c,
  callers: { ...c.callers, jwt: [...(c.callers.jwt ?? []), ...issuers] },
})

/**
 * A whole credvend in-process (`app.request`) against the STS emulator on loopback: a JWT issuer
 * with a generated key, two API keys, profiles for uploads, a partner and an admin role. Sleeps
 * between retries are recorded, not waited; every log line is captured.
 */
export const startVendHarness = async (
  overrides: {
    config?: (
      c: ConfigInput,
      emulator: Awaited<ReturnType<typeof startTestEmulator>>,
    ) => ConfigInput
    sharePending?: boolean
    realSleep?: boolean
  } = {},
) => {
  const emulator = await startTestEmulator()
  const signer = await makeSigner()
  const acme = await createApiKey('acme', (n) => new Uint8Array(nodeRandomBytes(n)))
  const other = await createApiKey('other', (n) => new Uint8Array(nodeRandomBytes(n)))
  const env = {
    ACME_SHA256: acme.sha256,
    PARTNER_EXTERNAL_ID: emulator.demo.externalId,
    NAME_KEY: 'k'.repeat(32),
    SESSION_TOKEN_KEY: 's'.repeat(40),
  }
  const photoBucket = {
    kind: 'oss-upload' as const,
    allow: [{ jwt: 'web' }],
    roleArn: emulator.demo.appRole.arn,
    bucket: 'demo-bucket',
    region: 'oss-cn-hangzhou',
    endpoint: emulator.ossEndpoint,
    corsOrigins: [APP_ORIGIN],
  }
  const base: ConfigInput = {
    region: 'cn-hangzhou',
    // Generous enough that a loaded CI machine does not turn a slow answer into a timeout.
    sts: { endpoint: emulator.stsEndpoint, timeoutMs: 20_000 },
    callers: {
      jwt: [
        {
          id: 'web',
          issuer: ISSUER,
          audience: AUDIENCE,
          algorithms: ['RS256'],
          jwks: { keys: [signer.jwk] },
        },
      ],
      apiKeys: [
        { id: 'acme', sha256: [{ env: 'ACME_SHA256' }] },
        { id: 'other', sha256: [other.sha256] },
      ],
    },
    sessionNameKey: { env: 'NAME_KEY' },
    profiles: {
      upload: {
        kind: 'sts',
        allow: [{ jwt: 'web' }],
        roleArn: emulator.demo.appRole.arn,
        sessionPolicy: UPLOAD_TEMPLATE,
        variables: { 'claims.tenant': { pattern: '^[a-z0-9-]{1,40}$' } },
        parameters: { folder: {} },
        durationSeconds: { default: 900, max: 3600 },
      },
      partner: {
        kind: 'sts',
        allow: [{ apiKey: 'acme' }],
        roleArn: emulator.demo.partnerRole.arn,
        externalId: { env: 'PARTNER_EXTERNAL_ID' },
        sessionName: 'pseudonymous',
        durationSeconds: 3600,
      },
      photos: {
        ...photoBucket,
        prefix: 'users/${caller.id}/',
        actions: ['put', 'multipart', 'list', 'read'],
        durationSeconds: { default: 900, max: 3600 },
      },
      'photo-form': {
        ...photoBucket,
        prefix: 'users/${caller.id}/forms/',
        actions: ['put'],
        form: { maxSizeBytes: FORM_MAX_BYTES, contentTypes: ['text/plain', 'image/png'] },
      },
      plain: {
        kind: 'sts',
        allow: [{ jwt: 'web' }, { apiKey: 'acme' }, { apiKey: 'other' }],
        roleArn: emulator.demo.appRole.arn,
        durationSeconds: { default: 900, max: 3600 },
      },
    },
    upstream: {
      attempts: 3,
      deadlineMs: 10_000,
      backoffBaseMs: 100,
      backoffCapMs: 1_000,
      circuitFailures: 3,
      circuitCooldownMs: 30_000,
    },
    // Most tests stampede one caller on purpose (single flight, faults); the limits and their
    // defaults have their own tests (test/api/rate-limits.test.ts).
    limits: { perCaller: null, perCallerMisses: null, perSourceAddress: null },
  }
  const config = overrides.config ? overrides.config(base, emulator) : base
  const logs: Array<Record<string, unknown>> = []
  const sleeps: number[] = []
  /** When credvend put each STS request on the wire (emulator clock): what the governor spaces. */
  const stsSends: number[] = []
  const deps = {
    fetch: ((input, init) => {
      if (String(input instanceof Request ? input.url : input).startsWith(emulator.stsEndpoint))
        stsSends.push(emulator.now().getTime())
      return fetch(input, init)
    }) as typeof fetch,
    now: emulator.now,
    randomId: randomHexId,
    // Recorded, not waited, unless a test measures pacing against the emulator's real clock.
    sleep: async (ms: number) => {
      sleeps.push(ms)
      if (overrides.realSleep) await sleepAtLeast(ms)
    },
    random: () => 0.5,
    elapsedMs: () => performance.now(),
  }
  const source = fromStatic({ ...emulator.demo.vendor, source: 'test' })
  const assembly = await assemble(
    {
      deps,
      env,
      source: () => source,
      log: (line) => void logs.push({ ...line }),
      sharePending: overrides.sharePending ?? true,
    },
    JSON.stringify(config),
  )
  const { app, credvend } = assembly
  const bodies: string[] = []
  const request = async (
    path: string,
    init: {
      method?: string
      token?: string
      body?: unknown
      headers?: Record<string, string>
      /** What the runtime would report as the client address (the per-address limits key on it). */
      sourceAddress?: string
    } = {},
  ) => {
    const headers: Record<string, string> = { ...init.headers }
    if (init.token) headers.authorization = `Bearer ${init.token}`
    if (init.body !== undefined) headers['content-type'] ??= 'application/json'
    const response = await app.request(
      path,
      {
        method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
        headers,
        ...(init.body === undefined
          ? {}
          : { body: typeof init.body === 'string' ? init.body : JSON.stringify(init.body) }),
      },
      init.sourceAddress === undefined ? undefined : { sourceAddress: init.sourceAddress },
    )
    const text = await response.text()
    bodies.push(text)
    return {
      status: response.status,
      headers: response.headers,
      text,
      json: () => JSON.parse(text),
    }
  }
  const assumeRoleCalls = () => emulator.calls.byAction.get('AssumeRole') ?? 0
  return {
    emulator,
    signer,
    acmeKey: acme.key,
    otherKey: other.key,
    env,
    config,
    credvend,
    app,
    reload: assembly.reload,
    request,
    logs,
    sleeps,
    stsSends,
    bodies,
    assumeRoleCalls,
    deps,
    close: emulator.close,
  }
}

export type VendHarness = Awaited<ReturnType<typeof startVendHarness>>
