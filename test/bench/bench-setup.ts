import { Hono } from 'hono'
import { assemble } from '../../lib/assemble.ts'
import type { ConfigInput } from '../../lib/config/schema.ts'
import { fromStatic } from '../../lib/credentials/provider.ts'
import { randomHexId } from '../../lib/runtime/deps.ts'
import { makeSigner, ISSUER, AUDIENCE } from '../helpers/vend-harness.ts'

const ROLE = 'acs:ram::1234567890123456:role/bench'

/** An STS that answers at once: a canned AssumeRole reply with a realistic 1,000-character token. */
const instantSts = (tokenLength = 1000) => {
  let n = 0
  const fetchFn = (async () => {
    n++
    const id = `STS.${String(n).padStart(25, '0')}`
    return Response.json({
      RequestId: `REQ-${n}`,
      AssumedRoleUser: { AssumedRoleId: `1:${n}`, Arn: `${ROLE}/${n}` },
      Credentials: {
        AccessKeyId: id,
        AccessKeySecret: `secret${String(n).padStart(38, '0')}`,
        SecurityToken: `CAIS${String(n).padStart(tokenLength - 4, 'x')}`,
        Expiration: new Date(Date.now() + 3600_000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      },
    })
  }) as typeof fetch
  return { fetch: fetchFn, calls: () => n }
}

/** credvend in-process with two identical profiles (so a warm caller can still miss on the second). */
export const benchApp = async () => {
  const signer = await makeSigner('ES256', 'bench')
  const sts = instantSts()
  const profile = {
    kind: 'sts' as const,
    allow: [{ jwt: 'web' }],
    roleArn: ROLE,
    durationSeconds: 3600,
  }
  const config: ConfigInput = {
    region: 'cn-hangzhou',
    // The governor must not refuse the benchmark's tens of thousands of instant STS answers: the
    // rows measure the vend path, not the pacing.
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
    // Limits on, so their cost is in every row, but far above what the benchmark sends.
    limits: {
      perCaller: { perSecond: 100_000, burst: 100_000 },
      perCallerMisses: { perSecond: 100_000, burst: 100_000 },
      perSourceAddress: { perSecond: 100_000, burst: 100_000 },
    },
    cache: { maxEntries: 200_000 },
  }
  const deps = {
    fetch: sts.fetch,
    now: () => new Date(),
    randomId: randomHexId,
    sleep: async () => {},
    random: Math.random,
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
  return { app, credvend, signer, sts }
}

/** The baseline of row 1: a bare Hono route returning the same JSON. */
export const bareApp = (body: unknown) => {
  const app = new Hono()
  app.get('/v1/credentials/:profile', (c) => c.json(body, 200, { 'Cache-Control': 'no-store' }))
  return app
}
