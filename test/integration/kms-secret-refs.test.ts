import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { envSecretResolver, loadConfig } from '../../lib/config/load.ts'
import { fromStatic } from '../../lib/credentials/provider.ts'
import { kmsSecretReader } from '../../lib/config/kms-secret-reader.ts'
import { randomHexId } from '../../lib/runtime/deps.ts'
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.ts'

let emu: TestEmulator

const config = (kms: boolean, secretName = 'acme-external-id') =>
  JSON.stringify({
    region: 'cn-hangzhou',
    sts: { endpoint: emu.stsEndpoint },
    ...(kms ? { kms: { endpoint: emu.kmsEndpoint } } : {}),
    callers: { apiKeys: [{ id: 'acme', sha256: ['a'.repeat(64)] }] },
    sessionNameKey: { env: 'K' },
    profiles: {
      acme: {
        kind: 'sts',
        allow: [{ apiKey: 'acme' }],
        roleArn: emu.demo.partnerRole.arn,
        externalId: { kmsSecret: secretName },
        sessionName: 'pseudonymous',
      },
    },
  })

beforeAll(async () => {
  emu = await startTestEmulator()
  emu.kms.secrets.createGenericSecret(emu.demo.accountId, 'acme-external-id', emu.demo.externalId)
})
afterAll(() => emu.close())

describe('{ "kmsSecret": … } references', () => {
  const reader = () =>
    kmsSecretReader(fromStatic({ ...emu.demo.vendor, source: 'test' }), {
      fetch,
      now: emu.now,
      randomId: randomHexId,
    })

  it("resolve through KMS with credvend's own identity", async () => {
    const loaded = await loadConfig(config(true), envSecretResolver({ K: 'k'.repeat(32) }), {
      kmsSecret: reader(),
    })
    expect(loaded.profiles.get('acme')!.externalId).toBe(emu.demo.externalId)
  })

  it('fail to load with a one-line reason when the secret is missing or no KMS endpoint is configured', async () => {
    await expect(
      loadConfig(config(true, 'no-such'), envSecretResolver({ K: 'k'.repeat(32) }), {
        kmsSecret: reader(),
      }),
    ).rejects.toThrow(
      /profiles\.acme\.externalId \(line \d+, column \d+\): KMS secret no-such could not be read \(ERR_KMS_REJECTED\)/,
    )
    await expect(
      loadConfig(config(false), envSecretResolver({ K: 'k'.repeat(32) }), { kmsSecret: reader() }),
    ).rejects.toThrow(
      /profiles\.acme\.externalId \(line \d+, column \d+\): kmsSecret references need a kms section/,
    )
  })
})
