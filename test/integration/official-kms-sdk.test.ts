import { createRequire } from 'node:module'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createKmsClient } from '../../lib/kms/client.ts'
import { randomHexId } from '../../lib/runtime/deps.ts'
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.ts'

// The official KMS client (@alicloud/kms20160120), unchanged: the emulator's oracle.
const require = createRequire(import.meta.url)
const { default: Kms, GetSecretValueRequest } = require('@alicloud/kms20160120') as {
  default: new (config: Record<string, unknown>) => {
    getSecretValue(r: unknown): Promise<{
      secretData?: string
      secretType?: string
      versionStages?: { versionStage?: string[] }
      nextRotationDate?: string
      body?: unknown
    }>
  }
  GetSecretValueRequest: new (r: Record<string, unknown>) => unknown
}
const { Config } = require('@alicloud/rpc-client') as {
  Config: new (c: Record<string, unknown>) => Record<string, unknown>
}

let emu: TestEmulator

const official = (keys: { accessKeyId: string; accessKeySecret: string }) =>
  new Kms(
    new Config({
      ...keys,
      endpoint: new URL(emu.kmsEndpoint).host,
      protocol: 'http',
      regionId: 'cn-hangzhou',
    }),
  )

const outcome = (p: Promise<unknown>) =>
  p.then(
    () => 'ok',
    (e: { code?: string; data?: { Code?: string } }) => e.code ?? e.data?.Code ?? 'error',
  )

beforeAll(async () => {
  emu = await startTestEmulator()
})
afterAll(() => emu.close())

describe('KMS emulator with the official @alicloud/kms20160120 client', () => {
  it('reads the RAMCredentials secret, current and previous stages', async () => {
    const client = official(emu.demo.vendor)
    // v1.2.0's response model keeps only the older fields (no SecretType or rotation dates);
    // those are checked through our own client below.
    const current = await client.getSecretValue(
      new GetSecretValueRequest({ secretName: 'erp-ram-ak' }),
    )
    const body = (current.body ?? current) as {
      secretName: string
      secretData: string
      versionStages: { versionStage: string[] }
    }
    expect(body.secretName).toBe('erp-ram-ak')
    expect(JSON.parse(body.secretData)).toMatchObject({
      AccessKeyId: emu.erpSecret.current.accessKeyId,
      AccessKeySecret: emu.erpSecret.current.accessKeySecret,
    })
    expect(body.versionStages.versionStage).toEqual(['ACSCurrent'])
    const before = emu.erpSecret.current.accessKeyId
    emu.kms.secrets.rotate(emu.erpSecret)
    const previous = await client.getSecretValue(
      new GetSecretValueRequest({ secretName: 'erp-ram-ak', versionStage: 'ACSPrevious' }),
    )
    expect(
      JSON.parse(((previous.body ?? previous) as { secretData: string }).secretData).AccessKeyId,
    ).toBe(before)
  })

  it('is refused with wrong credentials, for a user without permission, and for an unknown secret', async () => {
    expect(
      await outcome(
        official({
          ...emu.demo.vendor,
          accessKeySecret: 'wrong-secret-000000000000',
        }).getSecretValue(new GetSecretValueRequest({ secretName: 'erp-ram-ak' })),
      ),
    ).toMatch(/SignatureDoesNotMatch/)
    expect(
      await outcome(
        official({
          accessKeyId: 'LTAI5tDoesNotExist00000',
          accessKeySecret: 'x'.repeat(30),
        }).getSecretValue(new GetSecretValueRequest({ secretName: 'erp-ram-ak' })),
      ),
    ).toMatch(/InvalidAccessKeyId/)
    expect(
      await outcome(
        official(emu.demo.admin).getSecretValue(
          new GetSecretValueRequest({ secretName: 'erp-ram-ak' }),
        ),
      ),
    ).toMatch(/Forbidden/)
    expect(
      await outcome(
        official(emu.demo.vendor).getSecretValue(
          new GetSecretValueRequest({ secretName: 'no-such-secret' }),
        ),
      ),
    ).toMatch(/Forbidden\.ResourceNotFound/)
  })

  it('our own KMS client reads it too, and a rotated-out key stops working after the overlap', async () => {
    const kms = createKmsClient(
      { endpoint: emu.kmsEndpoint },
      { fetch, now: emu.now, randomId: randomHexId },
    )
    const value = await kms.getSecretValue(
      { ...emu.demo.vendor, source: 'test' },
      { secretName: 'erp-ram-ak' },
    )
    expect(JSON.parse(value.secretData).AccessKeyId).toBe(emu.erpSecret.current.accessKeyId)
    expect(value.nextRotationDate?.getTime()).toBe(
      Math.floor(emu.erpSecret.nextRotation.getTime() / 1000) * 1000,
    )
    expect([value.secretType, value.rotationIntervalSeconds]).toEqual([
      'RAMCredentials',
      7 * 24 * 3600,
    ])
    const extended = await kms.getSecretValue(
      { ...emu.demo.vendor, source: 'test' },
      { secretName: 'erp-ram-ak', fetchExtendedConfig: true },
    )
    expect(JSON.parse(extended.extendedConfig!)).toMatchObject({
      SecretSubType: 'RamUserAccessKey',
    })
    const old = emu.erpSecret.current
    emu.erpSecret.overlapSeconds = 0
    emu.kms.secrets.rotate(emu.erpSecret)
    expect(emu.world.findAccessKey(old.accessKeyId)).toBeUndefined()
    expect(emu.world.findAccessKey(emu.erpSecret.current.accessKeyId)).toBeDefined()
  })
})
