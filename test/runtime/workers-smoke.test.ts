import { createHash } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Miniflare } from 'miniflare'
import { buildWorkerWithWrangler } from '../../functions/node/tools/build-worker.ts'
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.ts'
import { CHILD_PROCESS_TIMEOUT_MS } from '../helpers/timeouts.ts'

/**
 * The Worker as a deployment builds it — `wrangler deploy --dry-run` with infra/wrangler.toml —
 * inside workerd (miniflare): the app with no emulator in it, its only way out an
 * `outboundService` that hands each fetch to the STS emulator in this process — the injected STS.
 * Nothing leaves the machine.
 */
const KEY = `cvk_acme_${'B'.repeat(43)}`
const OTHER = `cvk_other_${'D'.repeat(43)}`
let emulator: TestEmulator
let mf: Miniflare
let bundle: string
const outbound: string[] = []

beforeAll(async () => {
  emulator = await startTestEmulator()
  bundle = (await buildWorkerWithWrangler()).script
  const config = {
    region: 'cn-hangzhou',
    sts: { endpoint: 'https://sts.cn-hangzhou.aliyuncs.com' },
    callers: {
      apiKeys: [
        { id: 'acme', sha256: [{ env: 'ACME_SHA256' }] },
        { id: 'other', sha256: [createHash('sha256').update(OTHER).digest('hex')] },
      ],
    },
    profiles: {
      plain: {
        kind: 'sts',
        allow: [{ apiKey: 'acme' }],
        roleArn: emulator.demo.appRole.arn,
        durationSeconds: 900,
      },
      partner: {
        kind: 'sts',
        allow: [{ apiKey: 'acme' }],
        roleArn: emulator.demo.partnerRole.arn,
        externalId: { env: 'PARTNER_EXTERNAL_ID' },
        durationSeconds: 900,
      },
    },
    partnerTrust: { intervalSeconds: 300 },
    exposeInternalRoutes: true,
  }
  mf = new Miniflare({
    modules: true,
    script: bundle,
    compatibilityDate: '2024-12-18', // as pinned in infra/wrangler.toml
    bindings: {
      CREDVEND_CONFIG_JSON: JSON.stringify(config),
      ACME_SHA256: createHash('sha256').update(KEY).digest('hex'),
      PARTNER_EXTERNAL_ID: emulator.demo.externalId,
      ALIBABA_CLOUD_ACCESS_KEY_ID: emulator.demo.vendor.accessKeyId,
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: emulator.demo.vendor.accessKeySecret,
    },
    outboundService: async (request) => {
      outbound.push(new URL(request.url).host)
      const headers = Object.fromEntries([...request.headers] as Array<[string, string]>)
      const response = await emulator.stsFetch(
        new Request(request.url, { method: request.method, headers, body: await request.text() }),
      )
      return new Response(await response.text(), {
        status: response.status,
        headers: response.headers,
      }) as never
    },
  })
}, CHILD_PROCESS_TIMEOUT_MS)
afterAll(async () => {
  await mf?.dispose()
  await emulator?.close()
})

describe('Workers smoke (workerd via miniflare)', () => {
  it('vends once against the injected STS, and serves the next request from the isolate cache', async () => {
    const vend = () =>
      mf.dispatchFetch('http://credvend.test/v1/credentials/plain', {
        headers: { authorization: `Bearer ${KEY}` },
      })
    const res = await vend()
    const body = (await res.json()) as Record<string, string>
    expect([res.status, body.Code]).toEqual([200, 'Success'])
    expect(body.AccessKeyId).toMatch(/^STS\./)
    expect(emulator.world.findSession(body.AccessKeyId!)!.sessionName).toBe('key.acme')
    expect(outbound).toEqual(['sts.cn-hangzhou.aliyuncs.com'])
    expect(((await (await vend()).json()) as Record<string, string>).AccessKeyId).toBe(
      body.AccessKeyId,
    )
    expect(outbound).toHaveLength(1)
  })

  it('refuses a bad key with 401 inside workerd too', async () => {
    const res = await mf.dispatchFetch('http://credvend.test/v1/credentials/plain', {
      headers: { authorization: 'Bearer cvk_acme_nope' },
    })
    expect(res.status).toBe(401)
    await res.text()
  })

  it('the allow and refuse cases of the vend API hold inside workerd, none reaching STS', async () => {
    const before = outbound.length
    const call = async (path: string, init: RequestInit = {}) => {
      const res = await mf.dispatchFetch(`http://credvend.test${path}`, init as never)
      return `${res.status} ${((await res.json()) as { Code: string }).Code}`
    }
    expect({
      noAuth: await call('/v1/credentials/plain'),
      notAllowed: await call('/v1/credentials/plain', {
        headers: { authorization: `Bearer ${OTHER}` },
      }),
      unknownProfile: await call('/v1/credentials/nope', {
        headers: { authorization: `Bearer ${KEY}` },
      }),
      callerExternalId: await call('/v1/credentials/plain', {
        method: 'POST',
        headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({ externalId: 'mine' }),
      }),
      keyInQuery: await call(`/v1/credentials/plain?api_key=${KEY}`),
      notJson: await call('/v1/credentials/plain', {
        method: 'POST',
        headers: { authorization: `Bearer ${KEY}`, 'content-type': 'text/plain' },
        body: 'x',
      }),
    }).toEqual({
      noAuth: '401 ERR_AUTH_MISSING',
      notAllowed: '404 ERR_NOT_FOUND',
      unknownProfile: '404 ERR_NOT_FOUND',
      callerExternalId: '400 ERR_BAD_REQUEST',
      keyInQuery: '400 ERR_CREDENTIALS_IN_QUERY',
      notJson: '415 ERR_UNSUPPORTED_MEDIA_TYPE',
    })
    expect(outbound.length).toBe(before)
  })

  it("a cron trigger runs the partner trust watch in workerd; /metrics shows the partner's verdict", async () => {
    const before = outbound.length
    const cron = await mf.dispatchFetch(
      'http://credvend.test/cdn-cgi/mf/scheduled?cron=*/5+*+*+*+*',
    )
    expect([cron.status, await cron.text()]).toEqual([200, 'ok'])
    // Three probes of the partner role: without an ExternalId, with a wrong one, with its own.
    expect(outbound.length - before).toBe(3)
    const metrics = await (await mf.dispatchFetch('http://credvend.test/metrics')).text()
    expect(metrics).toContain('credvend_partner_trust_ok{partner="partner"} 1')
    expect(metrics).toMatch(
      /credvend_partner_trust_checked_timestamp_seconds\{partner="partner"\} \d{10}/,
    )
  })

  it('the bundle carries no emulator, no demo page and no demo keys', () => {
    expect(bundle).toContain('ERR_NOT_FOUND') // the product is there …
    // … and none of the emulators' or demo's text (identifiers do not survive minification; strings do).
    expect(bundle).not.toMatch(
      /createStsEmulator|createDemoWorld|credvend-demo|LOCAL MODE|The specified bucket does not exist|AccessKeyIdAndSecurityTokenNotMatch|The service is temporarily unavailable|demo-bucket/,
    )
  })
})
