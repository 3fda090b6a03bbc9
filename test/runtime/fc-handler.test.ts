import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { resetForTests } from '../../functions/fc/index.ts'
import { httpHandler } from '../helpers/fc-http-handler.ts'
import { enterFcProcessEnv } from '../helpers/fc-process-env.ts'
import type { TestEmulator } from '../helpers/emulator.ts'
import { FC_TEST_KEY as KEY, startFcWorld } from '../helpers/fc-world.ts'

/**
 * The example event of FC 3.0's HTTP-trigger doc, verbatim
 * (https://help.aliyun.com/zh/functioncompute/fc-3-0/user-guide/http-trigger-invoking-function);
 * each case below changes only what it names.
 */
const VERBATIM = readFileSync('test/fixtures/fc3-http-event.json', 'utf8')
let emulator: TestEmulator
let functionKeys: Awaited<ReturnType<typeof startFcWorld>>['functionKeys']
let context: {
  requestId: string
  credentials: { accessKeyId: string; accessKeySecret: string; securityToken: string }
}
let restoreEnv: (() => void) | undefined

const event = (change: (e: any) => void): Buffer => {
  const e = JSON.parse(VERBATIM)
  change(e)
  return Buffer.from(JSON.stringify(e)) // FC hands the event over as a Buffer holding JSON
}

beforeAll(async () => {
  const world = await startFcWorld()
  emulator = world.emulator
  functionKeys = world.functionKeys
  context = { requestId: 'req-1', credentials: await world.functionKeys() }
  // Nothing else in the chain may answer: only what FC hands over can make these vends work.
  restoreEnv = enterFcProcessEnv(world.env)
  resetForTests()
})
afterAll(async () => {
  restoreEnv?.()
  resetForTests()
  await emulator?.close()
})

describe("FC 3.0 handler (event fixtures from FC's HTTP-trigger doc)", () => {
  it('the verbatim event (GET /example with query) reaches the app and gets its JSON 404', async () => {
    const result = await httpHandler(Buffer.from(VERBATIM), context)
    expect(result.statusCode).toBe(404)
    expect(result.isBase64Encoded).toBe(false)
    expect(JSON.parse(result.body).Code).toBe('ERR_NOT_FOUND')
    // FC's own request id, so the audit line and FC's logs name the same invocation.
    expect(result.headers['x-request-id']).toBe('req-1')
  })

  it('GET with query parameters on /readyz: ready, with context.credentials named as the source', async () => {
    const result = await httpHandler(
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
    const result = await httpHandler(
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
      const result = await httpHandler(
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
    const result = await httpHandler(
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

  /** A vend that misses the cache: every duration is a key of its own. */
  const vendFor = (durationSeconds: number, ctx: typeof context) =>
    httpHandler(
      event((e) => {
        e.rawPath = '/v1/credentials/plain'
        e.queryParameters = {}
        e.requestContext.http.method = 'POST'
        e.headers = { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' }
        e.body = JSON.stringify({ durationSeconds })
      }),
      ctx,
    )

  it('signs each STS call with the keys of the invocation at hand, never earlier ones', async () => {
    const broken = {
      requestId: 'req-broken',
      credentials: { ...context.credentials, accessKeySecret: 'not-the-secret' },
    }
    const refused = await vendFor(2400, broken)
    expect(refused.statusCode).toBeGreaterThanOrEqual(500)
    expect(JSON.parse(refused.body).Code).toMatch(/^ERR_STS_/)
    const rotated = { requestId: 'req-rotated', credentials: await functionKeys('fc-rotated') }
    const served = await vendFor(2400, rotated)
    expect([served.statusCode, JSON.parse(served.body).Code]).toEqual([200, 'Success'])
  })

  it("carries FC's request id in the audit line and X-Request-Id", async () => {
    const lines: string[] = []
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      lines.push(String(chunk))
      return true
    })
    let result
    try {
      result = await vendFor(3000, { ...context, requestId: '1-64f6cd87-a1b2c3d4e5f6' })
    } finally {
      write.mockRestore()
    }
    expect(result.headers['x-request-id']).toBe('1-64f6cd87-a1b2c3d4e5f6')
    const audit = lines.map((l) => JSON.parse(l)).filter((l) => l.type === 'audit')
    expect(audit).toEqual([
      expect.objectContaining({ requestId: '1-64f6cd87-a1b2c3d4e5f6', outcome: 'ok' }),
    ])
  })
})
