import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { isVendError } from '../../../lib/errors.ts'
import { createStsClient } from '../../../lib/sts/client.ts'
import { readAssumeRoleInput } from '../../../lib/sts/input-check.ts'
import {
  assumeRoleInput,
  EXTERNAL_ID,
  ROLE_ARN,
  ROLE_SESSION_NAME,
} from '../../../lib/sts/schemas.ts'
import { fixedDeps, scriptedFetch } from '../../helpers/scripted-fetch.ts'

const valid = {
  roleArn: 'acs:ram::1234567890123456:role/oss-writer',
  roleSessionName: 'jwt.web.alice',
}

/** Inputs `assumeRoleInput` refuses, one limit each. */
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

describe('readAssumeRoleInput: the quick read in front of assumeRoleInput', () => {
  it('takes well-formed input as the schema does, fields read into a new object', () => {
    for (const input of [
      valid,
      { ...valid, durationSeconds: 900 },
      {
        ...valid,
        durationSeconds: 43_200,
        policy: 'x'.repeat(2048),
        externalId: 'abcd-1234+=,.@:/_',
        sourceIdentity: 'alice@example.com',
      },
      { ...valid, policy: undefined, externalId: undefined },
    ]) {
      const read = readAssumeRoleInput(input)
      expect(read).not.toBe(input)
      expect(read).toEqual(assumeRoleInput.parse(input))
    }
  })

  for (const [name, input] of MALFORMED) {
    it(`leaves ${name} to the schema, which refuses it`, () => {
      expect(readAssumeRoleInput(input)).toBeUndefined()
      expect(assumeRoleInput.safeParse(input).success).toBe(false)
    })
  }

  it('agrees with the schema on random input, well-formed or not', () => {
    // Mostly well-formed fields, so that hundreds of inputs are accepted in full.
    const field = <T>(good: fc.Arbitrary<T>) =>
      fc.oneof(
        { arbitrary: good, weight: 12 },
        { arbitrary: fc.string({ maxLength: 12 }), weight: 1 },
        { arbitrary: fc.constantFrom(undefined, null, 0, 900, true), weight: 1 },
      )
    const input = fc.record(
      {
        roleArn: field(fc.stringMatching(ROLE_ARN)),
        roleSessionName: field(fc.stringMatching(ROLE_SESSION_NAME)),
        durationSeconds: field(
          fc.oneof(
            { arbitrary: fc.integer({ min: 0, max: 200_000 }), weight: 6 },
            { arbitrary: fc.double(), weight: 1 },
            { arbitrary: fc.constantFrom(2 ** 53, -900, '3600'), weight: 1 },
          ),
        ),
        policy: field(
          fc.oneof(
            { arbitrary: fc.string({ maxLength: 60 }), weight: 3 },
            { arbitrary: fc.string({ minLength: 2040, maxLength: 2060 }), weight: 1 },
          ),
        ),
        externalId: field(fc.stringMatching(EXTERNAL_ID)),
        // SOURCE_IDENTITY's reserved prefixes are a lookahead, which stringMatching cannot build.
        sourceIdentity: field(
          fc.oneof(
            { arbitrary: fc.stringMatching(/^[\w+=,.@-]{2,64}$/), weight: 4 },
            { arbitrary: fc.constantFrom('acs:x', 'aliyun:x', 'alibabacloud:x'), weight: 1 },
          ),
        ),
      },
      { requiredKeys: ['roleArn', 'roleSessionName'] },
    )
    const withUnknownKey = fc
      .tuple(input, fc.string(), fc.anything())
      .map(([fields, key, value]) => ({ ...fields, [key]: value }))
    let accepted = 0
    let refused = 0
    fc.assert(
      fc.property(
        fc.oneof(
          { arbitrary: input, weight: 8 },
          { arbitrary: withUnknownKey, weight: 1 },
          { arbitrary: fc.anything(), weight: 1 },
        ),
        (candidate) => {
          const schema = assumeRoleInput.safeParse(candidate)
          const read = readAssumeRoleInput(candidate)
          expect(read !== undefined).toBe(schema.success)
          if (read) expect(read).toEqual(schema.data)
          if (read) accepted++
          else refused++
        },
      ),
      { numRuns: 2_000 },
    )
    expect(Math.min(accepted, refused)).toBeGreaterThan(200)
  })
})

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
