import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { isVendError, type VendError } from '../../lib/errors.ts'
import { createStsClient } from '../../lib/sts/client.ts'
import { randomHexId } from '../../lib/runtime/deps.ts'
import { nodeDigests } from '../../functions/node/platform/native-digests.ts'
import { MalformedPolicyError } from '../../lib/emulator/world.ts'
import { EXTERNAL_ID_CONDITION_KEY } from '../../lib/policy/condition-keys.ts'
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.ts'

let emulator: TestEmulator
beforeAll(async () => {
  emulator = await startTestEmulator()
})
afterAll(() => emulator?.close())

const deps = (native: boolean) => ({
  fetch,
  now: emulator.now,
  randomId: randomHexId,
  ...(native ? { digests: nodeDigests } : {}),
})
const vendor = () => ({ ...emulator.demo.vendor, source: 'test' })

const refusal = async (call: Promise<unknown>): Promise<VendError> => {
  try {
    await call
  } catch (error) {
    if (isVendError(error)) return error
    throw error
  }
  throw new Error('expected a refusal')
}

describe.each([
  ['rpc-hmac-sha1', 'Web Crypto'],
  ['rpc-hmac-sha1', 'node:crypto'],
  ['acs3-hmac-sha256', 'Web Crypto'],
  ['acs3-hmac-sha256', 'node:crypto'],
] as const)('credvend STS client (%s, %s digests)', (signature, digests) => {
  const sts = () =>
    createStsClient({ endpoint: emulator.stsEndpoint, signature }, deps(digests === 'node:crypto'))

  it('gets credentials, and GetCallerIdentity signed with them returns the role and session name', async () => {
    const reply = await sts().assumeRole(vendor(), {
      roleArn: emulator.demo.appRole.arn,
      roleSessionName: 'jwt.web.alice',
      durationSeconds: 900,
      policy: JSON.stringify({
        Version: '1',
        Statement: [
          {
            Effect: 'Allow',
            Action: 'oss:PutObject',
            Resource: 'acs:oss:*:*:demo-bucket/users/alice/*',
          },
        ],
      }),
    })
    expect(reply.assumedRoleUser.arn).toBe(`${emulator.demo.appRole.arn}/jwt.web.alice`)
    expect(reply.credentials.expiration.getTime() - emulator.now().getTime()).toBeGreaterThan(
      890_000,
    )
    const me = await sts().getCallerIdentity({ ...reply.credentials, source: 'assumed' })
    expect(me.identityType).toBe('AssumedRoleUser')
    expect(me.arn).toBe(
      `acs:ram::${emulator.demo.accountId}:assumed-role/credvend-demo/jwt.web.alice`,
    )
    expect(me.principalId).toBe(`${emulator.demo.appRole.roleId}:jwt.web.alice`)
  })

  it('chains: credentials from one AssumeRole (with their SecurityToken) can assume again, capped at one hour', async () => {
    const first = await sts().assumeRole(vendor(), {
      roleArn: emulator.demo.appRole.arn,
      roleSessionName: 'hop-1',
    })
    const source = { ...first.credentials, source: 'chained' }
    const tooLong = await refusal(
      sts().assumeRole(source, {
        roleArn: emulator.demo.appRole.arn,
        roleSessionName: 'hop-2',
        durationSeconds: 3601,
      }),
    )
    expect(tooLong.upstream?.code).toBe('InvalidParameter.DurationSeconds')
    // The demo role's policies grant oss:* only, so a chained session may not assume roles at all.
    const denied = await refusal(
      sts().assumeRole(source, { roleArn: emulator.demo.appRole.arn, roleSessionName: 'hop-2' }),
    )
    expect(denied.code).toBe('ERR_STS_DENIED')
    expect(denied.upstream?.code).toBe('NoPermission')
  })

  describe('a role whose trust policy requires an ExternalId', () => {
    const partner = () => ({
      roleArn: emulator.demo.partnerRole.arn,
      roleSessionName: 'key.acme',
    })

    it('refuses AssumeRole without one', async () => {
      const e = await refusal(sts().assumeRole(vendor(), partner()))
      expect([e.code, e.upstream?.code, e.upstream?.httpStatus]).toEqual([
        'ERR_STS_DENIED',
        'NoPermission',
        403,
      ])
    })
    it('refuses a wrong one', async () => {
      const e = await refusal(
        sts().assumeRole(vendor(), { ...partner(), externalId: 'not-the-right-one' }),
      )
      expect([e.code, e.upstream?.code]).toEqual(['ERR_STS_DENIED', 'NoPermission'])
    })
    it('accepts the right one', async () => {
      const reply = await sts().assumeRole(vendor(), {
        ...partner(),
        externalId: emulator.demo.externalId,
      })
      expect(reply.credentials.accessKeyId).toMatch(/^STS\./)
    })
  })

  it('maps STS parameter refusals to ERR_STS_REJECTED with the upstream code kept for logs', async () => {
    const unknownKey = JSON.stringify({
      Version: '1',
      Statement: [
        {
          Effect: 'Allow',
          Action: 'oss:*',
          Resource: '*',
          Condition: { StringEquals: { 'oss:NoSuchKey': 'x' } },
        },
      ],
    })
    const e = await refusal(
      sts().assumeRole(vendor(), {
        roleArn: emulator.demo.appRole.arn,
        roleSessionName: 'grammar',
        policy: unknownKey,
      }),
    )
    expect([e.code, e.upstream?.code]).toEqual([
      'ERR_STS_REJECTED',
      'InvalidParameter.PolicyGrammar',
    ])
    const missing = await refusal(
      sts().assumeRole(vendor(), {
        roleArn: `acs:ram::${emulator.demo.accountId}:role/nope`,
        roleSessionName: 'x1',
      }),
    )
    expect([missing.code, missing.upstream?.code, missing.upstream?.httpStatus]).toEqual([
      'ERR_STS_DENIED',
      'EntityNotExist.Role',
      404,
    ])
  })
})

describe('emulator RAM: trust policies', () => {
  const trustRequiring = (conditionKey: string) => ({
    Version: '1',
    Statement: [
      {
        Effect: 'Allow',
        Action: 'sts:AssumeRole',
        Principal: { RAM: [`acs:ram::${emulator.demo.accountId}:root`] },
        Condition: { StringEquals: { [conditionKey]: 'abcd1234' } },
      },
    ],
  })

  it('rejects a trust policy with an unknown condition key when the role is created', () => {
    const create = () =>
      emulator.world.createRole(emulator.demo.accountId, 'typo-role', {
        trustPolicy: trustRequiring('sts:ExternalIdentifier'),
      })
    expect(create).toThrow(MalformedPolicyError)
    expect(create).toThrow(/unknown condition key sts:ExternalIdentifier/)
  })

  it('accepts the same trust policy with the presumed key', () => {
    const role = emulator.world.createRole(emulator.demo.accountId, 'ok-role', {
      trustPolicy: trustRequiring(EXTERNAL_ID_CONDITION_KEY),
    })
    expect(role.arn).toBe(`acs:ram::${emulator.demo.accountId}:role/ok-role`)
  })
})
