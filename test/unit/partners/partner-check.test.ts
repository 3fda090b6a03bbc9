import { describe, expect, it } from 'vitest'
import { VendError } from '../../../lib/errors.ts'
import { checkPartnerRole } from '../../../lib/partners/partner-check.ts'
import type { StsClient } from '../../../lib/sts/client.ts'
import type { AssumeRoleInput } from '../../../lib/sts/schemas.ts'

const PARTNER = 'acs:ram::2222222222222222:role/partner'
const HUB = 'acs:ram::1234567890123456:role/hub'
const unavailable = () =>
  new VendError('ERR_STS_UNAVAILABLE', 'STS AssumeRole failed: network error', { retryable: true })
const throttled = () =>
  new VendError('ERR_STS_THROTTLED', 'the STS call budget is exhausted for now', {
    retryAfterSeconds: 1,
  })
const accepted = () => undefined
const denied = () =>
  new VendError('ERR_STS_DENIED', 'STS denied the role to credvend', {
    upstream: { service: 'sts', code: 'NoPermission' },
  })

/** An STS that answers each AssumeRole from a script, and records what it was asked. */
const scriptedSts = (...answers: Array<(input: AssumeRoleInput) => Error | undefined>) => {
  const asked: AssumeRoleInput[] = []
  const sts = {
    assumeRole: async (_from: unknown, input: AssumeRoleInput) => {
      asked.push(input)
      const error = answers.shift()!(input)
      if (error) throw error
      return {
        credentials: {
          accessKeyId: 'STS.hub',
          accessKeySecret: 'hub-secret',
          securityToken: 'token',
          expiration: new Date(0),
        },
      }
    },
  } as unknown as StsClient
  return { sts, asked }
}

const check = (sts: StsClient, hops: Array<{ roleArn: string }> = []) =>
  checkPartnerRole({
    sts,
    source: { accessKeyId: 'LTAI-source', accessKeySecret: 'source-secret', source: 'env' },
    hops: hops.map((h) => ({ ...h, externalId: undefined, durationSeconds: 3600 })),
    roleArn: PARTNER,
    externalId: 'cv-configured',
    randomBytes: (n) => new Uint8Array(n),
  })

describe('checkPartnerRole when STS does not answer', () => {
  it('stops at the first call without an answer and says so, with no verdict on the trust policy', async () => {
    const { sts, asked } = scriptedSts(unavailable, unavailable, unavailable)
    const result = await check(sts)
    expect(result).toEqual({
      ok: false,
      unreachable: true,
      inconclusive: false,
      loose: false,
      steps: [
        {
          name: 'without ExternalId',
          ok: false,
          detail: `not checked: STS did not answer AssumeRole on ${PARTNER}: ERR_STS_UNAVAILABLE`,
        },
      ],
    })
    expect(asked).toHaveLength(1)
  })

  it('keeps the steps already proven when STS stops answering later', async () => {
    const { sts } = scriptedSts(denied, unavailable)
    const result = await check(sts)
    expect(result.unreachable).toBe(true)
    expect(result.steps.map((s) => [s.name, s.ok])).toEqual([
      ['without ExternalId', true],
      ['with a wrong ExternalId', false],
    ])
    expect(result.steps[1]!.detail).toMatch(/^not checked: /)
  })

  it('a hub STS does not answer for is unreachable too; a refused hub is not', async () => {
    const silent = await check(scriptedSts(unavailable).sts, [{ roleArn: HUB }])
    expect(silent.unreachable).toBe(true)
    expect(silent.steps[0]!.detail).toContain(`STS did not answer AssumeRole on ${HUB}`)
    const refused = await check(scriptedSts(denied).sts, [{ roleArn: HUB }])
    expect(refused).toMatchObject({ ok: false, unreachable: false })
    expect(refused.steps[0]!.detail).toContain(`the hub ${HUB} could not be assumed`)
  })

  it('an answering STS gives the verdict as before: refused twice, then assumed', async () => {
    const { sts, asked } = scriptedSts(denied, denied, () => undefined)
    const result = await check(sts)
    expect(result).toMatchObject({ ok: true, unreachable: false })
    expect(result.steps.every((s) => s.ok)).toBe(true)
    expect(asked.map((a) => a.externalId)).toEqual([undefined, expect.any(String), 'cv-configured'])
  })
})

describe('checkPartnerRole: loose, refused, or proving nothing', () => {
  it('is loose only when a probe that must be refused was accepted, whatever comes after', async () => {
    expect(await check(scriptedSts(accepted, denied, accepted).sts)).toMatchObject({
      ok: false,
      loose: true,
      inconclusive: false,
    })
    expect(await check(scriptedSts(denied, accepted, accepted).sts)).toMatchObject({ loose: true })
    // Proven loose before STS stopped answering: the proof stands.
    expect(await check(scriptedSts(accepted, unavailable).sts)).toMatchObject({
      unreachable: true,
      loose: true,
    })
  })

  it('reads throttling (or any answer but a permission refusal) as proving nothing', async () => {
    expect(await check(scriptedSts(throttled, throttled, throttled).sts)).toMatchObject({
      ok: false,
      loose: false,
      inconclusive: true,
    })
    expect(await check(scriptedSts(denied, denied, throttled).sts)).toMatchObject({
      ok: false,
      loose: false,
      inconclusive: true,
    })
    expect(await check(scriptedSts(throttled).sts, [{ roleArn: HUB }])).toMatchObject({
      ok: false,
      inconclusive: true,
    })
  })

  it('a role that refuses the configured ExternalId fails conclusively, without being loose', async () => {
    expect(await check(scriptedSts(denied, denied, denied).sts)).toMatchObject({
      ok: false,
      loose: false,
      inconclusive: false,
    })
  })
})
