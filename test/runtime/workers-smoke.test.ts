import { createHash } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Miniflare } from 'miniflare'
import { bundleWorker } from '../../functions/node/tools/bundle-worker.ts'
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.ts'

/**
 * The Worker bundle inside workerd (miniflare): the app with no emulator in it, its only way out
 * an `outboundService` that hands each fetch to the STS emulator in this process — the injected
 * STS. Nothing leaves the machine.
 */
const KEY = `cvk_acme_${'B'.repeat(43)}`
let emulator: TestEmulator
let mf: Miniflare
let bundle: string
const outbound: string[] = []

beforeAll(async () => {
  emulator = await startTestEmulator()
  bundle = await bundleWorker()
  const config = {
    region: 'cn-hangzhou',
    sts: { endpoint: 'https://sts.cn-hangzhou.aliyuncs.com' },
    callers: { apiKeys: [{ id: 'acme', sha256: [{ env: 'ACME_SHA256' }] }] },
    profiles: { plain: { kind: 'sts', allow: [{ apiKey: 'acme' }], roleArn: emulator.demo.appRole.arn, durationSeconds: 900 } },
  }
  mf = new Miniflare({
    modules: true,
    script: bundle,
    compatibilityDate: '2024-09-23',
    bindings: {
      CREDVEND_CONFIG_JSON: JSON.stringify(config),
      ACME_SHA256: createHash('sha256').update(KEY).digest('hex'),
      ALIBABA_CLOUD_ACCESS_KEY_ID: emulator.demo.vendor.accessKeyId,
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: emulator.demo.vendor.accessKeySecret,
    },
    outboundService: async (request) => {
      outbound.push(new URL(request.url).host)
      const headers = Object.fromEntries([...request.headers] as Array<[string, string]>)
      const response = await emulator.stsFetch(new Request(request.url, { method: request.method, headers, body: await request.text() }))
      return new Response(await response.text(), { status: response.status, headers: response.headers }) as never
    },
  })
}, 60_000)
afterAll(async () => {
  await mf?.dispose()
  await emulator?.close()
})

describe('Workers smoke (workerd via miniflare)', () => {
  it('vends once against the injected STS, and serves the next request from the isolate cache', async () => {
    const vend = () => mf.dispatchFetch('http://credvend.test/v1/credentials/plain', { headers: { authorization: `Bearer ${KEY}` } })
    const res = await vend()
    const body = (await res.json()) as Record<string, string>
    expect([res.status, body.Code]).toEqual([200, 'Success'])
    expect(body.AccessKeyId).toMatch(/^STS\./)
    expect(emulator.world.findSession(body.AccessKeyId!)!.sessionName).toBe('key.acme')
    expect(outbound).toEqual(['sts.cn-hangzhou.aliyuncs.com'])
    expect(((await (await vend()).json()) as Record<string, string>).AccessKeyId).toBe(body.AccessKeyId)
    expect(outbound).toHaveLength(1)
  })

  it('refuses a bad key with 401 inside workerd too', async () => {
    const res = await mf.dispatchFetch('http://credvend.test/v1/credentials/plain', { headers: { authorization: 'Bearer cvk_acme_nope' } })
    expect(res.status).toBe(401)
    await res.text()
  })

  it('the bundle carries no emulator and no demo keys', () => {
    expect(bundle).not.toMatch(/createStsEmulator|createDemoWorld|credvend-demo|LOCAL MODE/)
  })
})
