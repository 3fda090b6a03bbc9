import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { customRuntimeHandler } from '../../functions/fc/custom-runtime.ts'
import { lazyFcApp } from '../../functions/fc/fc-app.ts'
import { handler, resetForTests } from '../../functions/fc/index.ts'
import { renderTrustPolicy } from '../../lib/partners/trust-policy.ts'
import type { TestEmulator } from '../helpers/emulator.ts'
import { FC_TIMER_EVENT, fcHttpEvent, fcTimerEvent } from '../helpers/fc-events.ts'
import { httpHandler } from '../helpers/fc-http-handler.ts'
import { enterFcProcessEnv } from '../helpers/fc-process-env.ts'
import { FC_TEST_KEY as KEY, startFcWorld } from '../helpers/fc-world.ts'

const EXTERNAL_ID = 'fc-partner-external-id-0123456789'
const PARTNER_ROLE = 'fc-partner'

let world: Awaited<ReturnType<typeof startFcWorld>>
let emulator: TestEmulator
let keys: Awaited<ReturnType<Awaited<ReturnType<typeof startFcWorld>>['functionKeys']>>
let env: NodeJS.ProcessEnv
let restoreEnv: (() => void) | undefined

/** The partner's role trusts the function's role, with or without the ExternalId condition. */
const trust = (requireExternalId: boolean) =>
  renderTrustPolicy({
    trusted: world.fnRoleArn,
    ...(requireExternalId ? { externalId: EXTERNAL_ID } : {}),
  })

/** A GET of the built-in runtime with the partner's key. */
const httpGet = (path: string) => fcHttpEvent('GET', path, { authorization: `Bearer ${KEY}` })

const metrics = async () => (await httpHandler(httpGet('/metrics'), context())).body

const context = () => ({ requestId: 'req-timer', credentials: keys })

/** Both shapes read the clock through Date; the emulator follows it. */
const advance = (seconds: number) => vi.setSystemTime(Date.now() + seconds * 1000)

beforeAll(async () => {
  vi.useFakeTimers({ toFake: ['Date'] })
  world = await startFcWorld()
  emulator = world.emulator
  emulator.world.createRole(emulator.demo.partnerAccountId, PARTNER_ROLE, {
    trustPolicy: trust(true),
    policies: [
      { Version: '1', Statement: [{ Effect: 'Allow', Action: 'oss:GetObject', Resource: '*' }] },
    ],
  })
  keys = await world.functionKeys()
  const config = {
    ...world.config,
    profiles: {
      ...world.config.profiles,
      'acme-partner': {
        kind: 'sts',
        allow: [{ apiKey: 'acme' }],
        roleArn: `acs:ram::${emulator.demo.partnerAccountId}:role/${PARTNER_ROLE}`,
        externalId: { env: 'ACME_EXTERNAL_ID' },
        durationSeconds: 900,
      },
    },
    partnerTrust: { intervalSeconds: 300, refuseWhenLoose: true },
  }
  env = {
    ...world.env,
    CREDVEND_CONFIG_JSON: JSON.stringify(config),
    ACME_EXTERNAL_ID: EXTERNAL_ID,
    FC_FUNCTION_NAME: 'credvend-public',
  }
  // Nothing else in the chain may answer: only what FC hands over can make these vends work.
  restoreEnv = enterFcProcessEnv(env)
  resetForTests()
})
afterAll(async () => {
  vi.useRealTimers()
  restoreEnv?.()
  resetForTests()
  await emulator?.close()
})

describe('FC 3.0: the partner trust watch runs on a timer trigger', () => {
  it("built-in runtime: the timer's event runs the checks with context.credentials; drift flips the metric and stops vending", async () => {
    expect(await handler(fcTimerEvent(), context())).toEqual({
      partnerTrust: { checked: 1, ok: 1, failed: 0, unreachable: 0, inconclusive: 0 },
    })
    expect(await metrics()).toContain('credvend_partner_trust_ok{partner="acme-partner"} 1')
    const vend = () => httpHandler(httpGet('/v1/credentials/acme-partner'), context())
    expect((await vend()).statusCode).toBe(200)

    emulator.world.updateRoleTrust(emulator.demo.partnerAccountId, PARTNER_ROLE, trust(false))
    // FC may fire early or twice: a second event within the interval runs nothing.
    expect(await handler(fcTimerEvent(), context())).toEqual({
      partnerTrust: 'not due',
    })
    advance(300)
    expect(await handler(fcTimerEvent(), context())).toEqual({
      partnerTrust: { checked: 1, ok: 0, failed: 1, unreachable: 0, inconclusive: 0 },
    })
    expect(await metrics()).toContain('credvend_partner_trust_ok{partner="acme-partner"} 0')
    const refused = await vend()
    expect([refused.statusCode, JSON.parse(refused.body).Code]).toEqual([
      403,
      'ERR_PARTNER_UNTRUSTED',
    ])
    emulator.world.updateRoleTrust(emulator.demo.partnerAccountId, PARTNER_ROLE, trust(true))
  })

  it("custom runtime: FC's event invocation (POST /invoke) runs the checks with the x-fc-* keys; nothing else does", async () => {
    const handle = customRuntimeHandler(true, lazyFcApp(env))
    const invoke = (controlPath: string, body: unknown) =>
      handle(
        new Request('http://127.0.0.1:9000/invoke', {
          method: 'POST',
          headers: {
            'x-fc-control-path': controlPath,
            'x-fc-request-id': 'req-invoke',
            'x-fc-access-key-id': keys.accessKeyId,
            'x-fc-access-key-secret': keys.accessKeySecret,
            'x-fc-security-token': keys.securityToken,
            'content-type': 'application/octet-stream',
          },
          body: JSON.stringify(body),
        }),
      )
    const answer = await invoke('/invoke', FC_TIMER_EVENT)
    expect([answer.status, await answer.json()]).toEqual([
      200,
      { partnerTrust: { checked: 1, ok: 1, failed: 0, unreachable: 0, inconclusive: 0 } },
    ])
    const notTimer = await invoke('/invoke', { hello: 'world' })
    expect([notTimer.status, ((await notTimer.json()) as { Code: string }).Code]).toEqual([
      400,
      'ERR_BAD_REQUEST',
    ])
    // An HTTP-trigger request to the same path is the app's, which has no such route.
    advance(300)
    const viaHttp = await invoke('/http-invoke', FC_TIMER_EVENT)
    expect(viaHttp.status).toBe(404)
    // Off FC no x-fc-* header is believed: the path is just the app's.
    const offFc = await customRuntimeHandler(
      false,
      lazyFcApp(env),
    )(
      new Request('http://127.0.0.1:9000/invoke', {
        method: 'POST',
        headers: { 'x-fc-control-path': '/invoke', 'content-type': 'application/json' },
        body: JSON.stringify(FC_TIMER_EVENT),
      }),
    )
    expect(offFc.status).toBe(404)
    // Neither of those ran a check: the interval is up, so FC's next event does.
    const due = await invoke('/invoke', FC_TIMER_EVENT)
    expect(await due.json()).toEqual({
      partnerTrust: { checked: 1, ok: 1, failed: 0, unreachable: 0, inconclusive: 0 },
    })
  })
})
