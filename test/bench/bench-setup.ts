import { Hono } from 'hono'
import { assemble } from '../../lib/assemble.ts'
import type { ConfigInput } from '../../lib/config/schema.ts'
import { fromStatic } from '../../lib/credentials/provider.ts'
import { randomHexId } from '../../lib/runtime/deps.ts'
import { LightResponse } from '../../functions/node/platform/light-response.ts'
import { nodeDigests } from '../../functions/node/platform/native-digests.ts'
import { makeSigner, ISSUER, AUDIENCE } from '../helpers/vend-harness.ts'

const ROLE = 'acs:ram::1234567890123456:role/bench'

/**
 * An STS that answers at once: a canned AssumeRole reply with a realistic 1,000-character token,
 * as the Response the Node and FC entries' fetch (http-fetch.ts) hands to lib/.
 */
const instantSts = (tokenLength = 1000) => {
  let n = 0
  const fetchFn = (async () => {
    n++
    const id = `STS.${String(n).padStart(25, '0')}`
    return LightResponse.json({
      RequestId: `REQ-${n}`,
      AssumedRoleUser: { AssumedRoleId: `1:${n}`, Arn: `${ROLE}/${n}` },
      Credentials: {
        AccessKeyId: id,
        AccessKeySecret: `secret${String(n).padStart(38, '0')}`,
        SecurityToken: `CAIS${String(n).padStart(tokenLength - 4, 'x')}`,
        Expiration: new Date(Date.now() + 3600_000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      },
    })
  }) as unknown as typeof fetch
  return { fetch: fetchFn, calls: () => n }
}

/**
 * What the rate limits are set to: `high` keeps them on (so their cost is in the row) far above
 * what the bench sends; `off` removes them; `defaults` is what a deployment gets by leaving the
 * section out.
 */
export type BenchLimits = 'high' | 'off' | 'defaults'

const HIGH = { perSecond: 100_000, burst: 100_000 }
const limitsFor = (limits: BenchLimits): ConfigInput['limits'] =>
  limits === 'high'
    ? { perCaller: HIGH, perCallerMisses: HIGH, perSourceAddress: HIGH }
    : limits === 'off'
      ? { perCaller: null, perCallerMisses: null, perSourceAddress: null }
      : undefined

/**
 * credvend in-process against an instant STS, with two identical `sts` profiles `a` and `b` (so a
 * caller cached on one still misses on the other). The STS governor admits far more than the
 * bench sends: the rows measure the vend path, not the pacing.
 */
export const benchApp = async (
  options: { limits?: BenchLimits; cacheEntries?: number | 'default' } = {},
) => {
  const signer = await makeSigner('ES256', 'bench')
  const sts = instantSts()
  const profile = {
    kind: 'sts' as const,
    allow: [{ jwt: 'web' }],
    roleArn: ROLE,
    durationSeconds: 3600,
  }
  const limits = limitsFor(options.limits ?? 'high')
  const cacheEntries = options.cacheEntries ?? 200_000
  const config: ConfigInput = {
    region: 'cn-hangzhou',
    sts: { endpoint: 'https://sts.cn-hangzhou.aliyuncs.com', maxCallsPerSecond: 100_000 },
    callers: {
      jwt: [
        {
          id: 'web',
          issuer: ISSUER,
          audience: AUDIENCE,
          algorithms: ['ES256'],
          jwks: { keys: [signer.jwk] },
        },
      ],
    },
    profiles: { a: profile, b: profile },
    ...(limits ? { limits } : {}),
    ...(cacheEntries === 'default' ? {} : { cache: { maxEntries: cacheEntries } }),
  }
  const deps = {
    fetch: sts.fetch,
    now: () => new Date(),
    randomId: randomHexId,
    sleep: async () => {},
    random: Math.random,
    // What the Node and FC entries inject: the rows measure those runtimes.
    digests: nodeDigests,
  }
  const source = fromStatic({
    accessKeyId: 'LTAI5tBench',
    accessKeySecret: 'bench-secret',
    source: 'bench',
  })
  const { app, credvend } = await assemble(
    { deps, env: {}, log: () => {}, sharePending: true, source: () => source },
    JSON.stringify(config),
  )
  /** One vend; anything but a 200 stops the row, since timing error answers would mean nothing. */
  const get = async (profileName: string, token: string) => {
    const res = await app.request(`/v1/credentials/${profileName}`, {
      headers: { authorization: `Bearer ${token}` },
    })
    if (res.status !== 200)
      throw new Error(`vend of ${profileName} answered ${res.status}: ${await res.text()}`)
    return res.text()
  }
  return { app, credvend, signer, sts, get }
}

/** The baseline of the cache-hit rows: a bare Hono route answering the same JSON. */
export const bareApp = (bodies: Readonly<Record<string, unknown>>) => {
  const app = new Hono()
  app.get('/v1/credentials/:profile', (c) =>
    c.json(bodies[c.req.param('profile')] ?? null, 200, { 'Cache-Control': 'no-store' }),
  )
  return app
}

/** `count` JWTs for `subject(i)`, each with its own jti, so every one is new to the token cache. */
export const signMany = (
  signer: Awaited<ReturnType<typeof makeSigner>>,
  count: number,
  subject: (i: number) => string,
  tag: string,
) =>
  Promise.all(
    Array.from({ length: count }, (_, i) =>
      signer.sign({ jti: `${tag}${i}` }, { sub: subject(i) }),
    ),
  )
