import { createHash } from 'node:crypto'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { handler, resetForTests } from '../../functions/fc/index.ts'
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.ts'
import { renderTrustPolicy } from '../../lib/partners/trust-policy.ts'
import { createStsClient } from '../../lib/sts/client.ts'
import { randomHexId } from '../../lib/runtime/deps.ts'

/**
 * The example event of FC 3.0's HTTP-trigger doc, verbatim
 * (https://help.aliyun.com/zh/functioncompute/fc-3-0/user-guide/http-trigger-invoking-function);
 * each case below changes only what it names.
 */
const VERBATIM = readFileSync('test/fixtures/fc3-http-event.json', 'utf8')
const KEY = `cvk_acme_${'C'.repeat(43)}`
let emulator: TestEmulator
let context: {
  requestId: string
  credentials: { accessKeyId: string; accessKeySecret: string; securityToken: string }
}
const saved = { ...process.env }

const event = (change: (e: any) => void): Buffer => {
  const e = JSON.parse(VERBATIM)
  change(e)
  return Buffer.from(JSON.stringify(e)) // FC hands the event over as a Buffer holding JSON
}

beforeAll(async () => {
  emulator = await startTestEmulator()
  const account = emulator.demo.accountId
  // The function's own role: FC assumed it and put its temporary keys in context.credentials.
  const fnRole = emulator.world.createRole(account, 'fc-credvend', {
    trustPolicy: {
      Version: '1',
      Statement: [
        {
          Effect: 'Allow',
          Action: 'sts:AssumeRole',
          Principal: { RAM: [`acs:ram::${account}:root`] },
        },
      ],
    },
    policies: [
      { Version: '1', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' }] },
    ],
  })
  // The profile's role trusts exactly the function's role, as the trust-policy renderer would write it.
  const target = emulator.world.createRole(account, 'fc-target', {
    trustPolicy: renderTrustPolicy({ trusted: fnRole.arn }),
    policies: [
      {
        Version: '1',
        Statement: [
          { Effect: 'Allow', Action: 'oss:GetObject', Resource: 'acs:oss:*:*:demo-bucket/*' },
        ],
      },
    ],
  })
  const sts = createStsClient(
    { endpoint: emulator.stsEndpoint },
    { fetch, now: emulator.now, randomId: randomHexId },
  )
  const fnCreds = (
    await sts.assumeRole(
      { ...emulator.demo.vendor, source: 'fc-platform' },
      { roleArn: fnRole.arn, roleSessionName: 'fc-instance' },
    )
  ).credentials
  context = {
    requestId: 'req-1',
    credentials: {
      accessKeyId: fnCreds.accessKeyId,
      accessKeySecret: fnCreds.accessKeySecret,
      securityToken: fnCreds.securityToken,
    },
  }
  process.env.CREDVEND_CONFIG_JSON = JSON.stringify({
    region: 'cn-hangzhou',
    sts: { endpoint: emulator.stsEndpoint },
    callers: { apiKeys: [{ id: 'acme', sha256: [{ env: 'ACME_SHA256' }] }] },
    profiles: {
      plain: {
        kind: 'sts',
        allow: [{ apiKey: 'acme' }],
        roleArn: target.arn,
        durationSeconds: { default: 900, max: 3600 },
      },
    },
    exposeInternalRoutes: true,
  })
  process.env.ACME_SHA256 = createHash('sha256').update(KEY).digest('hex')
  // Nothing else in the chain may answer: only context.credentials can make these vends work.
  for (const name of Object.keys(process.env))
    if (name.startsWith('ALIBABA_CLOUD_')) delete process.env[name]
  process.env.ALIBABA_CLOUD_ECS_METADATA_DISABLED = 'true'
  process.env.HOME = mkdtempSync(join(tmpdir(), 'credvend-fc-home-'))
  resetForTests()
})
afterAll(async () => {
  for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name]
  Object.assign(process.env, saved)
  resetForTests()
  await emulator?.close()
})

describe("FC 3.0 handler (event fixtures from FC's HTTP-trigger doc)", () => {
  it('the verbatim event (GET /example with query) reaches the app and gets its JSON 404', async () => {
    const result = await handler(Buffer.from(VERBATIM), context)
    expect(result.statusCode).toBe(404)
    expect(result.isBase64Encoded).toBe(false)
    expect(JSON.parse(result.body).Code).toBe('ERR_NOT_FOUND')
    expect(result.headers['x-request-id']).toMatch(/^[0-9a-f]{32}$/)
  })

  it('GET with query parameters on /readyz: ready, with context.credentials named as the source', async () => {
    const result = await handler(
      event((e) => {
        e.rawPath = '/readyz'
        e.requestContext.http.path = '/readyz'
      }),
      context,
    )
    expect([result.statusCode, JSON.parse(result.body)]).toEqual([
      200,
      { status: 'ready', source: 'fc-context' },
    ])
  })

  it('GET vend with mixed-case and multi-value headers vends through the emulator using context.credentials', async () => {
    const result = await handler(
      event((e) => {
        e.rawPath = '/v1/credentials/plain'
        e.queryParameters = {}
        e.headers = {
          AUTHORIZATION: `Bearer ${KEY}`,
          'X-Forwarded-For': '1.1.1.1,2.2.2.2',
          Accept: 'application/json',
        }
      }),
      context,
    )
    const body = JSON.parse(result.body)
    expect([result.statusCode, body.Code]).toEqual([200, 'Success'])
    expect(result.headers['cache-control']).toBe('no-store')
    const session = emulator.world.findSession(body.AccessKeyId)!
    expect(session.role.roleName).toBe('fc-target')
    expect(session.sessionName).toBe('key.acme')
  })

  it('POST with a JSON body, and the same body base64-encoded', async () => {
    const json = JSON.stringify({ durationSeconds: 1200 })
    for (const [body, isBase64Encoded] of [
      [json, false],
      [Buffer.from(json).toString('base64'), true],
    ] as const) {
      const result = await handler(
        event((e) => {
          e.rawPath = '/v1/credentials/plain'
          e.queryParameters = {}
          e.requestContext.http.method = 'POST'
          e.headers = { 'Content-Type': 'application/json', authorization: `Bearer ${KEY}` }
          e.body = body
          e.isBase64Encoded = isBase64Encoded
        }),
        context,
      )
      const parsed = JSON.parse(result.body)
      expect([result.statusCode, parsed.Code]).toEqual([200, 'Success'])
    }
  })

  it('without context.credentials and with nothing else configured, a cache miss fails closed with 503', async () => {
    const result = await handler(
      event((e) => {
        e.rawPath = '/v1/credentials/plain'
        e.queryParameters = {}
        e.requestContext.http.method = 'POST'
        e.headers = { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' }
        e.body = JSON.stringify({ durationSeconds: 1800 })
      }),
      { requestId: 'req-2' } as never,
    )
    expect([result.statusCode, JSON.parse(result.body).Code]).toEqual([
      503,
      'ERR_PROVIDER_UNAVAILABLE',
    ])
  })
})
