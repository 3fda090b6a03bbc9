import { createRequire } from 'node:module'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.ts'
import { alibabaCode, type KeyPair } from '../helpers/official-sts-clients.ts'

const require = createRequire(import.meta.url)
const RPCClient = require('@alicloud/pop-core')

/**
 * STS's parameter and identity rules, driven through the official pop-core client — which sends
 * whatever it is given — so the emulator, not credvend's own pre-checks, is what refuses.
 */
let emulator: TestEmulator
beforeAll(async () => {
  emulator = await startTestEmulator()
})
afterAll(() => emulator?.close())

const call = (
  action: string,
  params: Record<string, unknown>,
  keys: KeyPair = emulator.demo.vendor,
) =>
  new RPCClient({ ...keys, endpoint: emulator.stsEndpoint, apiVersion: '2015-04-01' }).request(
    action,
    params,
    {
      method: 'POST',
      formatParams: false,
    },
  )
const assume = (params: Record<string, unknown>, keys?: KeyPair) =>
  call(
    'AssumeRole',
    { RoleArn: emulator.demo.appRole.arn, RoleSessionName: 'rules', ...params },
    keys,
  )

const policyOfBytes = (bytes: number) => {
  const base = {
    Version: '1',
    Statement: [{ Effect: 'Allow', Action: 'oss:GetObject', Resource: 'acs:oss:*:*:b/' }],
  }
  const pad = bytes - JSON.stringify(base).length
  base.Statement[0]!.Resource += 'x'.repeat(pad)
  const text = JSON.stringify(base)
  expect(new TextEncoder().encode(text).length).toBe(bytes)
  return text
}

describe('STS emulator: parameter rules', () => {
  it.each([['a'], ['x'.repeat(65)], ['has space'], ['bad/slash']])(
    'refuses RoleSessionName %j',
    async (name) => {
      expect(await alibabaCode(assume({ RoleSessionName: name }))).toBe(
        'InvalidParameter.RoleSessionName',
      )
    },
  )
  it('accepts a 64-character session name of the allowed alphabet', async () => {
    const name = `a.b@c_d-${'x'.repeat(56)}`
    expect((await assume({ RoleSessionName: name })).AssumedRoleUser.Arn).toMatch(
      new RegExp(`/${name}$`),
    )
  })

  it('refuses a session policy of 2,048 bytes or more; accepts 2,047', async () => {
    expect(await alibabaCode(assume({ Policy: policyOfBytes(2048) }))).toBe(
      'InvalidParameter.PolicySize',
    )
    expect((await assume({ Policy: policyOfBytes(2047) })).Credentials.AccessKeyId).toMatch(
      /^STS\./,
    )
  })

  it('refuses a session policy that fails the grammar check', async () => {
    expect(await alibabaCode(assume({ Policy: '{"Version":"1"}' }))).toBe(
      'InvalidParameter.PolicyGrammar',
    )
    expect(await alibabaCode(assume({ Policy: 'not json' }))).toBe('InvalidParameter.PolicyGrammar')
  })

  it('enforces 900 s minimum and the role MaxSessionDuration', async () => {
    expect(await alibabaCode(assume({ DurationSeconds: 899 }))).toBe(
      'InvalidParameter.DurationSeconds',
    )
    expect(await alibabaCode(assume({ DurationSeconds: 3601 }))).toBe(
      'InvalidParameter.DurationSeconds',
    )
    const long = emulator.world.createRole(emulator.demo.accountId, 'long-role', {
      trustPolicy: {
        Version: '1',
        Statement: [
          {
            Effect: 'Allow',
            Action: 'sts:AssumeRole',
            Principal: { RAM: [`acs:ram::${emulator.demo.accountId}:root`] },
          },
        ],
      },
      maxSessionDuration: 7200,
    })
    const reply = await assume({ RoleArn: long.arn, DurationSeconds: 7200 })
    const lifetime = Date.parse(reply.Credentials.Expiration) - Date.now()
    expect(lifetime).toBeGreaterThan(7100_000)
  })

  it('refuses a malformed RoleArn, ExternalId or SourceIdentity', async () => {
    expect(await alibabaCode(assume({ RoleArn: 'acs:ram::x:role/r' }))).toBe(
      'InvalidParameter.RoleArn',
    )
    expect(await alibabaCode(assume({ ExternalId: 'a b' }))).toBe('InvalidParameter.ExternalId')
    expect(await alibabaCode(assume({ SourceIdentity: 'acs:me' }))).toBe(
      'InvalidParameter.SourceIdentity',
    )
  })

  it('answers an unknown action with InvalidApi.NotFound', async () => {
    expect(await alibabaCode(call('GetFederationToken', {}))).toBe('InvalidApi.NotFound')
  })
})

describe('STS emulator: keys and security tokens', () => {
  it('refuses an AccessKeyId it never issued', async () => {
    expect(
      await alibabaCode(
        assume({}, { accessKeyId: 'LTAI5tNoSuchKey0000000000', accessKeySecret: 'x' }),
      ),
    ).toBe('InvalidAccessKeyId.NotFound')
  })

  it('recognises the credentials it issued — and requires their SecurityToken, matched to the key', async () => {
    const a = (await assume({ RoleSessionName: 'sess-a' })).Credentials
    const b = (await assume({ RoleSessionName: 'sess-b' })).Credentials
    const keysA = { accessKeyId: a.AccessKeyId, accessKeySecret: a.AccessKeySecret }
    expect(
      (await call('GetCallerIdentity', {}, { ...keysA, securityToken: a.SecurityToken })).Arn,
    ).toMatch(/sess-a$/)
    expect(await alibabaCode(call('GetCallerIdentity', {}, keysA))).toBe('MissingSecurityToken')
    expect(
      await alibabaCode(
        call('GetCallerIdentity', {}, { ...keysA, securityToken: b.SecurityToken }),
      ),
    ).toBe('InvalidSecurityToken.MismatchWithAccessKey')
    expect(
      await alibabaCode(
        call('GetCallerIdentity', {}, { ...keysA, securityToken: `${a.SecurityToken}x` }),
      ),
    ).toBe('InvalidSecurityToken.Malformed')
  })

  it("answers in Alibaba's error body shape", async () => {
    const response = await fetch(
      `${emulator.stsEndpoint}/?Action=AssumeRole&Version=2015-04-01&Signature=x`,
      { method: 'POST' },
    )
    const body = await response.json()
    expect(response.status).toBe(400)
    expect(Object.keys(body).sort()).toEqual([
      'Code',
      'HostId',
      'Message',
      'Recommend',
      'RequestId',
    ])
    expect(body.RequestId).toMatch(/^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/)
  })

  it('counts the calls it answered, per action', async () => {
    const before = emulator.calls.byAction.get('GetCallerIdentity') ?? 0
    await call('GetCallerIdentity', {})
    expect(emulator.calls.byAction.get('GetCallerIdentity')).toBe(before + 1)
  })
})
