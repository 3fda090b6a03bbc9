import { describe, expect, it, vi } from 'vitest'
import type { Caller } from '../../../lib/auth/caller.ts'
import type { AccessKeyProfile } from '../../../lib/config/schema.ts'
import { fromStatic } from '../../../lib/credentials/provider.ts'
import { VendError } from '../../../lib/errors.ts'
import type { KmsClient, SecretValue } from '../../../lib/kms/client.ts'
import { createAccessKeyService, type ServedKeys } from '../../../lib/vend/access-key-service.ts'

const T0 = Date.parse('2026-11-22T10:00:00Z')
const HOUR = 3600_000
const erp: Caller = { id: 'key.erp', kind: 'apiKey', authority: 'erp', sub: 'erp', claims: {} }
const other: Caller = {
  id: 'key.other',
  kind: 'apiKey',
  authority: 'other',
  sub: 'other',
  claims: {},
}

const profile: AccessKeyProfile = {
  kind: 'access-key',
  allow: [{ apiKey: 'erp' }],
  secretName: 'erp-ak',
  disabled: false,
  maxTtlSeconds: 3600,
  rotationDelaySeconds: 60,
  overlapSeconds: 600,
  reportIntervalSeconds: 10,
} as AccessKeyProfile

/** KMS as a named fake: the current pair of a secret that rotates in two hours. */
const fakeKms = (now: () => Date) => {
  let version = 1
  const getSecretValue = vi.fn(
    async (_source: unknown, _input: { secretName: string }): Promise<SecretValue> => ({
      requestId: `KMS-${version}`,
      secretName: 'erp-ak',
      versionId: `v${version}`,
      secretData: JSON.stringify({
        AccessKeyId: `LTAI5tKey${version}`,
        AccessKeySecret: `secret-of-${version}`,
      }),
      secretType: 'RAMCredentials',
      versionStages: ['ACSCurrent'],
      rotationIntervalSeconds: 7200,
      nextRotationDate: new Date(now().getTime() + 2 * HOUR),
      lastRotationDate: undefined,
      extendedConfig: undefined,
    }),
  )
  return {
    kms: { getSecretValue } as unknown as KmsClient,
    getSecretValue,
    rotate: () => void version++,
  }
}

const setup = () => {
  let nowMs = T0
  const now = () => new Date(nowMs)
  const { kms, getSecretValue, rotate } = fakeKms(now)
  const service = createAccessKeyService({
    source: fromStatic({ accessKeyId: 'LTAI-own', accessKeySecret: 'own', source: 'test' }),
    now,
    random: () => 0,
    sharePending: true,
    circuit: { failures: 2, cooldownMs: 30_000 },
  })
  const served: ServedKeys = { generation: 'g1', profiles: new Map([['erp', profile]]), kms }
  return {
    service,
    served,
    getSecretValue,
    rotate,
    advance: (ms: number) => void (nowMs += ms),
    vend: (caller = erp, request = {}) => service.vend(served, 'erp', caller, request),
  }
}

describe('the access-key service', () => {
  it('concurrent vends of one profile make one KMS call; later ones are hits until the rotation', async () => {
    const { vend, getSecretValue } = setup()
    const answers = await Promise.all(Array.from({ length: 20 }, () => vend()))
    expect(getSecretValue).toHaveBeenCalledTimes(1)
    expect(new Set(answers.map((a) => a.body.AccessKeyId))).toEqual(new Set(['LTAI5tKey1']))
    expect((await vend()).cache).toBe('hit')
    expect(answers[0]!.kind).toBe('access-key')
    expect(answers[0]!.body).not.toHaveProperty('SecurityToken')
  })

  it('re-reads just after the rotation and then serves the new pair', async () => {
    const { vend, getSecretValue, rotate, advance } = setup()
    await vend()
    rotate()
    advance(2 * HOUR + 61_000)
    const after = await vend()
    expect(after.cache).toBe('miss')
    expect(after.body.AccessKeyId).toBe('LTAI5tKey2')
    expect(getSecretValue).toHaveBeenCalledTimes(2)
  })

  it('while KMS is down, serves the last good pair until the rotation plus the overlap', async () => {
    const { vend, getSecretValue, advance } = setup()
    await vend()
    const down = new VendError('ERR_KMS_UNAVAILABLE', 'down', { retryable: true })
    getSecretValue.mockRejectedValue(down)
    advance(2 * HOUR + 120_000)
    expect((await vend()).cache).toBe('stale')
    advance(600_000) // past the overlap: the old pair may no longer work
    await expect(vend()).rejects.toMatchObject({ code: expect.stringMatching(/^ERR_/) })
  })

  it('a refusal from KMS is never answered with the held pair', async () => {
    const { vend, getSecretValue, advance } = setup()
    await vend()
    getSecretValue.mockRejectedValueOnce(new VendError('ERR_KMS_DENIED', 'denied'))
    advance(2 * HOUR + 120_000)
    await expect(vend()).rejects.toMatchObject({ code: 'ERR_KMS_DENIED' })
  })

  it('answers 404 to callers the profile does not allow, and where no profiles are served', async () => {
    const { service, served, getSecretValue } = setup()
    await expect(service.vend(served, 'erp', other, {})).rejects.toMatchObject({
      code: 'ERR_NOT_FOUND',
    })
    await expect(service.vend(undefined, 'erp', erp, {})).rejects.toMatchObject({
      code: 'ERR_NOT_FOUND',
    })
    expect(getSecretValue).not.toHaveBeenCalled()
  })

  it('refuses narrowing, which an AccessKey cannot honour', async () => {
    const { vend } = setup()
    await expect(vend(erp, { durationSeconds: 900 })).rejects.toMatchObject({
      code: 'ERR_BAD_REQUEST',
    })
  })

  it('a report of the held pair refreshes once; a second report at once is rate limited', async () => {
    const { service, served, getSecretValue, rotate } = setup()
    const first = await service.vend(served, 'erp', erp, {})
    rotate()
    const reported = await service.report(served, 'erp', erp, first.body.AccessKeyId)
    expect(reported.body).toMatchObject({ Refreshed: true, AccessKeyId: 'LTAI5tKey2' })
    expect(getSecretValue).toHaveBeenCalledTimes(2)
    // A report about the pair already replaced changes nothing.
    const old = await service.report(served, 'erp', erp, 'LTAI5tKey1')
    expect(old.body).toMatchObject({ Refreshed: false, AccessKeyId: 'LTAI5tKey2' })
    await expect(service.report(served, 'erp', erp, 'LTAI5tKey2')).rejects.toMatchObject({
      code: 'ERR_RATE_LIMITED',
    })
    expect(getSecretValue).toHaveBeenCalledTimes(2)
  })
})

describe('report-invalid after a reload', () => {
  it('never answers with a pair held under the previous generation', async () => {
    const { service, served, getSecretValue, rotate } = setup()
    await service.vend(served, 'erp', erp, {})
    rotate()
    // A reload: the profile now names another secret; the old generation's pair is still held.
    const reloaded: ServedKeys = {
      ...served,
      generation: 'g2',
      profiles: new Map([['erp', { ...profile, secretName: 'erp-ak-v2' }]]),
    }
    const reported = await service.report(reloaded, 'erp', erp, 'LTAI5tSomethingElse')
    expect(getSecretValue).toHaveBeenCalledTimes(2)
    expect(getSecretValue.mock.calls[1]![1]).toMatchObject({ secretName: 'erp-ak-v2' })
    expect(reported.body.AccessKeyId).toBe('LTAI5tKey2')
  })
})
