import { describe, expect, it } from 'vitest'
import { isVendError } from '../../../lib/errors.ts'
import { createStsClient } from '../../../lib/sts/client.ts'
import { assumeRoleInput } from '../../../lib/sts/schemas.ts'
import { fixedDeps, scriptedFetch } from '../../helpers/scripted-fetch.ts'

const valid = {
  roleArn: 'acs:ram::1234567890123456:role/oss-writer',
  roleSessionName: 'jwt.web.alice',
}

/** Inputs `assumeRoleInput` refuses, one limit each: the client sends none of them. */
const MALFORMED: ReadonlyArray<readonly [string, unknown]> = [
  ['not an object', 'acs:ram::1:role/x'],
  ['null', null],
  ['an array', [valid]],
  ['no roleArn', { roleSessionName: valid.roleSessionName }],
  ['a roleArn of another cloud', { ...valid, roleArn: 'arn:aws:iam::1:role/x' }],
  ['a roleArn that is not a string', { ...valid, roleArn: 1 }],
  ['a one-character session name', { ...valid, roleSessionName: 'a' }],
  ['a session name with a space', { ...valid, roleSessionName: 'has space' }],
  ['a 65-character session name', { ...valid, roleSessionName: 'a'.repeat(65) }],
  ['899 seconds', { ...valid, durationSeconds: 899 }],
  ['a fractional duration', { ...valid, durationSeconds: 900.5 }],
  ['NaN seconds', { ...valid, durationSeconds: Number.NaN }],
  ['infinite seconds', { ...valid, durationSeconds: Number.POSITIVE_INFINITY }],
  ['seconds as a string', { ...valid, durationSeconds: '900' }],
  ['an empty policy', { ...valid, policy: '' }],
  ['a 2,049-character policy', { ...valid, policy: 'x'.repeat(2049) }],
  ['a policy that is not a string', { ...valid, policy: { Version: '1' } }],
  ['an ExternalId with a space', { ...valid, externalId: 'bad id!' }],
  ['a reserved SourceIdentity prefix', { ...valid, sourceIdentity: 'acs:reserved' }],
  ['a null optional field', { ...valid, policy: null }],
  ['an unknown key', { ...valid, roleARN: valid.roleArn }],
  ['an inherited enumerable key', Object.assign(Object.create({ extra: 1 }) as object, valid)],
]

describe('STS client: refusals of malformed AssumeRole input', () => {
  it("words each refusal as the schema's issues and sends nothing", async () => {
    const { fetch, requests } = scriptedFetch()
    const sts = createStsClient(
      { endpoint: 'https://sts.cn-hangzhou.aliyuncs.com' },
      fixedDeps(fetch),
    )
    const source = {
      accessKeyId: 'LTAI5tTestAccessKeyId',
      accessKeySecret: 'secret',
      source: 'test',
    }
    for (const [, input] of MALFORMED) {
      const error = await sts.assumeRole(source, input as never).then(
        () => undefined,
        (e: unknown) => e,
      )
      if (!isVendError(error)) throw new Error(`expected a VendError, got ${String(error)}`)
      const issues = assumeRoleInput.safeParse(input).error!.issues
      expect(error.code).toBe('ERR_BAD_REQUEST')
      expect(error.message).toBe(
        `invalid AssumeRole input: ${issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
      )
    }
    expect(requests).toHaveLength(0)
  })

  it('names the pattern a session name breaks', async () => {
    const { fetch } = scriptedFetch()
    const sts = createStsClient(
      { endpoint: 'https://sts.cn-hangzhou.aliyuncs.com' },
      fixedDeps(fetch),
    )
    const source = {
      accessKeyId: 'LTAI5tTestAccessKeyId',
      accessKeySecret: 'secret',
      source: 'test',
    }
    await expect(sts.assumeRole(source, { ...valid, roleSessionName: 'a' })).rejects.toThrow(
      'invalid AssumeRole input: roleSessionName: 2–64 of [A-Za-z0-9.@_-]',
    )
  })
})
