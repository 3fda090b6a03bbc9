import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { resetForTests } from '../../functions/fc/index.ts'
import { httpHandler } from '../helpers/fc-http-handler.ts'
import { enterFcProcessEnv } from '../helpers/fc-process-env.ts'
import { renderTrustPolicy } from '../../lib/partners/trust-policy.ts'
import { randomHexId } from '../../lib/runtime/deps.ts'
import { createStsClient } from '../../lib/sts/client.ts'
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.ts'

const VERBATIM = readFileSync('test/fixtures/fc3-http-event.json', 'utf8')
const readyz = () => {
  const e = JSON.parse(VERBATIM)
  e.rawPath = '/readyz'
  e.queryParameters = {}
  return Buffer.from(JSON.stringify(e))
}
let restoreEnv: (() => void) | undefined
let emu: TestEmulator

/** The function's own role, as FC hands it over in context.credentials; `kms` grants GetSecretValue. */
const contextFor = async (name: string, kms: boolean) => {
  const fnRole = emu.world.createRole(emu.demo.accountId, name, {
    trustPolicy: renderTrustPolicy({ trusted: emu.demo.vendorArn }),
    policies: [
      {
        Version: '1',
        Statement: [
          { Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' },
          ...(kms
            ? [
                {
                  Effect: 'Allow',
                  Action: 'kms:GetSecretValue',
                  Resource: `acs:kms:*:${emu.demo.accountId}:secret/*`,
                },
              ]
            : []),
        ],
      },
    ],
  })
  const sts = createStsClient(
    { endpoint: emu.stsEndpoint },
    { fetch, now: emu.now, randomId: randomHexId },
  )
  const c = (
    await sts.assumeRole(
      { ...emu.demo.vendor, source: 'fc-platform' },
      { roleArn: fnRole.arn, roleSessionName: 'fc-instance' },
    )
  ).credentials
  return {
    requestId: 'req-1',
    credentials: {
      accessKeyId: c.accessKeyId,
      accessKeySecret: c.accessKeySecret,
      securityToken: c.securityToken,
    },
  }
}

beforeAll(async () => {
  emu = await startTestEmulator()
  emu.kms.secrets.createGenericSecret(emu.demo.accountId, 'session-name-key', 'n'.repeat(40))
  const config = JSON.stringify({
    region: 'cn-hangzhou',
    sts: { endpoint: emu.stsEndpoint },
    kms: { endpoint: emu.kmsEndpoint },
    callers: { apiKeys: [{ id: 'acme', sha256: ['a'.repeat(64)] }] },
    sessionNameKey: { kmsSecret: 'session-name-key' },
    profiles: {
      plain: { kind: 'sts', allow: [{ apiKey: 'acme' }], roleArn: emu.demo.appRole.arn },
    },
    exposeInternalRoutes: true,
  })
  restoreEnv = enterFcProcessEnv({ CREDVEND_CONFIG_JSON: config })
})
afterAll(async () => {
  restoreEnv?.()
  resetForTests()
  await emu.close()
})

describe('FC: { kmsSecret } references', () => {
  it("are read at the first invocation with the function's context.credentials", async () => {
    resetForTests()
    const denied = await httpHandler(readyz(), await contextFor('fc-no-kms', false))
    expect([denied.statusCode, JSON.parse(denied.body).Code]).toEqual([500, 'ERR_CONFIG_INVALID'])
    resetForTests()
    const before = emu.kms.calls.getSecretValue
    const ok = await httpHandler(readyz(), await contextFor('fc-with-kms', true))
    expect(ok.statusCode).toBe(200)
    expect(emu.kms.calls.getSecretValue - before).toBe(1)
  })
})
