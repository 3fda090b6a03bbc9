import { assemble } from '../../lib/assemble.ts'
import type { ConfigInput } from '../../lib/config/schema.ts'
import { fromStatic } from '../../lib/credentials/provider.ts'
import type { LogSink } from '../../lib/log.ts'
import { createNodeDeps } from '../../functions/node/platform/deps.ts'
import { DEMO_RAM_SECRET } from '../../functions/node/cli/local/local-emulator.ts'
import { startTestEmulator } from '../helpers/emulator.ts'
import { AUDIENCE, ISSUER, makeSigner } from '../helpers/vend-harness.ts'
import { bareApp } from './bench-setup.ts'

/** One profile of each kind, and what the row calls it. */
export const KINDS = {
  plain: 'sts, no session policy',
  fixed: 'sts, fixed session policy',
  templated: 'sts, templated policy (${caller.id})',
  upload: 'oss-upload',
  'access-key': 'access-key (KMS Secrets Manager)',
} as const
export type Kind = keyof typeof KINDS

const HIGH = { perSecond: 100_000, burst: 100_000 }

/**
 * credvend with one profile of each kind against the emulator on loopback (STS, OSS, KMS with its
 * rotating RAMCredentials secret), each vended once so the rows time cache hits; and a bare Hono
 * app answering each profile's JSON, the baseline. The limits are on, far above what the bench
 * sends, so their cost is in every row.
 */
export const startKinds = async (options: { log?: LogSink } = {}) => {
  const emulator = await startTestEmulator()
  const signer = await makeSigner('ES256', 'kinds')
  const role = emulator.demo.appRole.arn
  const allow = [{ jwt: 'web' }]
  const policy = (resource: string) => ({
    Version: '1',
    Statement: [{ Effect: 'Allow', Action: ['oss:GetObject'], Resource: [resource] }],
  })
  const config: ConfigInput = {
    region: 'cn-hangzhou',
    sts: { endpoint: emulator.stsEndpoint, maxCallsPerSecond: 100_000 },
    kms: { endpoint: emulator.kmsEndpoint },
    // Access-key profiles are served by the internal function only.
    exposeInternalRoutes: true,
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
    profiles: {
      plain: { kind: 'sts', allow, roleArn: role },
      fixed: {
        kind: 'sts',
        allow,
        roleArn: role,
        sessionPolicy: policy('acs:oss:*:*:demo-bucket/shared/*'),
      },
      templated: {
        kind: 'sts',
        allow,
        roleArn: role,
        sessionPolicy: policy('acs:oss:*:*:demo-bucket/users/${caller.id}/*'),
      },
      upload: {
        kind: 'oss-upload',
        allow,
        roleArn: role,
        bucket: 'demo-bucket',
        region: 'oss-cn-hangzhou',
        endpoint: emulator.ossEndpoint,
        prefix: 'users/${caller.id}/',
        actions: ['put', 'multipart'],
      },
      'access-key': { kind: 'access-key', allow, secretName: DEMO_RAM_SECRET },
    },
    limits: { perCaller: HIGH, perCallerMisses: HIGH, perSourceAddress: HIGH },
  }
  const source = fromStatic({ ...emulator.demo.vendor, source: 'bench' })
  const { app, credvend } = await assemble(
    {
      deps: createNodeDeps(),
      env: {},
      log: options.log ?? (() => {}),
      sharePending: true,
      source: () => source,
    },
    JSON.stringify(config),
  )
  const token = await signer.sign({}, { sub: 'hot-caller' })
  const headers = { authorization: `Bearer ${token}` }
  const bodies: Record<string, unknown> = {}
  for (const kind of Object.keys(KINDS)) {
    const res = await app.request(`/v1/credentials/${kind}`, { headers })
    const text = await res.text()
    if (res.status !== 200)
      throw new Error(`warm-up vend of ${kind} answered ${res.status}: ${text}`)
    bodies[kind] = JSON.parse(text)
  }
  return {
    app,
    credvend,
    bare: bareApp(bodies),
    token,
    headers,
    stsCalls: () => emulator.calls.byAction.get('AssumeRole') ?? 0,
    close: emulator.close,
  }
}
