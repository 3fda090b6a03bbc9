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
 * An STS that answers at once: an AssumeRole reply with a realistic 1,000-character token, as the
 * Response the Node and FC entries' fetch (http-fetch.ts) hands to lib/. "At once" means the fake
 * spends next to nothing: the reply's text is joined from parts made in advance (only the call's
 * number and the expiry's second change), so the miss row times credvend's work — signing, sending,
 * parsing and checking the reply — and not the fake building JSON (about 5 µs a reply with
 * JSON.stringify, a few percent of a miss).
 */
const instantSts = (tokenLength = 1000) => {
  let n = 0
  const tokenPad = 'x'.repeat(tokenLength - 4 - 12)
  const headers = { 'content-type': 'application/json' }
  let expirySecond = 0
  let expiry = ''
  const fetchFn = (async () => {
    n++
    const second = Math.floor(Date.now() / 1000)
    if (second !== expirySecond) {
      expirySecond = second
      expiry = new Date((second + 3600) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z')
    }
    const seq = String(n).padStart(12, '0')
    const text =
      `{"RequestId":"REQ-${n}","AssumedRoleUser":{"AssumedRoleId":"1:${n}","Arn":"${ROLE}/${n}"},` +
      `"Credentials":{"AccessKeyId":"STS.0000000000000${seq}","AccessKeySecret":"secret00000000000000000000000000${seq}",` +
      `"SecurityToken":"CAIS${tokenPad}${seq}","Expiration":"${expiry}"}}`
    return new LightResponse(text, { headers })
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
