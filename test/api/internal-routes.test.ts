import { readFileSync } from 'node:fs'
import { afterEach, describe, expect, it } from 'vitest'
import {
  generatedDocuments,
  openapiModuleText,
} from '../../functions/node/tools/schema-documents.ts'
import { configSchema } from '../../lib/config/schema.ts'
import { startVendHarness, type VendHarness } from '../helpers/vend-harness.ts'

let h: VendHarness | undefined
afterEach(async () => {
  await h?.close()
  h = undefined
})

describe('generated documents', () => {
  it.each(Object.entries(generatedDocuments()))(
    'lib/generated/%s is up to date (npm run build:schemas)',
    (name, doc) => {
      expect(JSON.parse(readFileSync(`lib/generated/${name}`, 'utf8'))).toEqual(
        JSON.parse(JSON.stringify(doc)),
      )
    },
  )

  it('lib/generated/openapi.ts is up to date (npm run build:schemas)', () => {
    expect(readFileSync('lib/generated/openapi.ts', 'utf8')).toBe(
      openapiModuleText(generatedDocuments()['openapi.json']),
    )
  })

  it('the config JSON Schema describes the same strictness as the zod schema', () => {
    const schema = JSON.parse(readFileSync('lib/generated/config.schema.json', 'utf8'))
    expect(schema.additionalProperties).toBe(false)
    expect(schema.required).toEqual(
      expect.arrayContaining(['region', 'sts', 'callers', 'profiles']),
    )
    expect(configSchema.safeParse({ region: 'cn-hangzhou' }).success).toBe(false)
  })
})

describe('health, readiness, OpenAPI and metrics', () => {
  it('serves /openapi.json and /metrics only where internal routes are on', async () => {
    h = await startVendHarness({ config: (c) => ({ ...c, exposeInternalRoutes: true }) })
    await h.request('/v1/credentials/plain', { token: await h.signer.sign() })
    const openapi = await h.request('/openapi.json')
    expect(openapi.json().paths['/v1/credentials/{profile}']).toBeDefined()
    expect(openapi.text).not.toContain('"plain"')
    const metrics = await h.request('/metrics')
    expect(metrics.text).toMatch(/^credvend_vends_total\{outcome="ok",cache="miss"\} 1$/m)
    expect(metrics.text).toMatch(
      /^credvend_sts_calls_total\{action="AssumeRole",outcome="ok"\} 1$/m,
    )
    await h.close()

    h = await startVendHarness()
    expect((await h.request('/openapi.json')).status).toBe(404)
    expect((await h.request('/metrics')).status).toBe(404)
  })

  it('/healthz never touches upstream; /readyz checks the source credential', async () => {
    h = await startVendHarness()
    const received = h.emulator.calls.received
    expect((await h.request('/healthz')).json()).toEqual({ status: 'ok' })
    expect(h.emulator.calls.received).toBe(received)
    expect((await h.request('/readyz')).json()).toEqual({ status: 'ready' })
    await h.close()
    h = await startVendHarness({ config: (c) => ({ ...c, exposeInternalRoutes: true }) })
    // Outside the internal function the source stays unnamed; inside, it is named.
    expect((await h.request('/readyz')).json()).toEqual({ status: 'ready', source: 'test' })
  })
})
