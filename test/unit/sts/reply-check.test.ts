import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { assumeRoleReplyParser, readAssumeRoleReply } from '../../../lib/sts/reply-check.ts'
import { assumeRoleReply } from '../../../lib/sts/schemas.ts'
import { assumeRoleBody } from '../../helpers/scripted-fetch.ts'

const good = assumeRoleBody()
const credentials = good.Credentials

/** Replies `assumeRoleReply` refuses, one fault each. */
const MALFORMED: ReadonlyArray<readonly [string, unknown]> = [
  ['no body', undefined],
  ['a string', 'ok'],
  ['an array', [good]],
  ['no RequestId', { ...good, RequestId: undefined }],
  ['a numeric RequestId', { ...good, RequestId: 7 }],
  ['no AssumedRoleUser', { ...good, AssumedRoleUser: undefined }],
  ['an AssumedRoleUser without Arn', { ...good, AssumedRoleUser: { AssumedRoleId: '3:a' } }],
  ['an AssumedRoleUser that is a string', { ...good, AssumedRoleUser: 'acs:ram::1:role/r' }],
  ['no Credentials', { ...good, Credentials: undefined }],
  ['Credentials that are null', { ...good, Credentials: null }],
  ...(['AccessKeyId', 'AccessKeySecret', 'SecurityToken', 'Expiration'] as const).flatMap(
    (field) =>
      [
        [
          `Credentials without ${field}`,
          { ...good, Credentials: { ...credentials, [field]: undefined } },
        ],
        [`an empty ${field}`, { ...good, Credentials: { ...credentials, [field]: '' } }],
        [`a numeric ${field}`, { ...good, Credentials: { ...credentials, [field]: 1 } }],
      ] as const,
  ),
  ['an Expiration with an offset', assumeRoleBody({ Expiration: '2026-11-22T11:00:00+00:00' })],
  ['an Expiration without seconds', assumeRoleBody({ Expiration: '2026-11-22T11:00Z' })],
  ['an Expiration on day 32', assumeRoleBody({ Expiration: '2026-11-32T11:00:00Z' })],
  ['an Expiration in epoch seconds', assumeRoleBody({ Expiration: 1795345200 })],
  ['a null SourceIdentity', { ...good, SourceIdentity: null }],
]

describe('readAssumeRoleReply: the quick read in front of assumeRoleReply', () => {
  it('reads a well-formed reply into the same result as the schema', () => {
    for (const reply of [
      good,
      assumeRoleBody({ Expiration: '2026-11-22T11:00:00.123Z' }),
      { ...good, SourceIdentity: 'alice@example.com', Extra: { kept: false } },
      { ...good, SourceIdentity: '' },
    ]) {
      const read = readAssumeRoleReply(reply)
      expect(read).toBeDefined()
      expect(read).toStrictEqual(assumeRoleReply.parse(reply))
    }
  })

  for (const [name, reply] of MALFORMED) {
    it(`refuses ${name}, as the schema does`, () => {
      expect(readAssumeRoleReply(reply)).toBeUndefined()
      expect(assumeRoleReplyParser.safeParse(reply).success).toBe(false)
      expect(assumeRoleReply.safeParse(reply).success).toBe(false)
    })
  }

  it('agrees with the schema on random replies, well-formed or not', () => {
    const field = <T>(good: fc.Arbitrary<T>) =>
      fc.oneof(
        { arbitrary: good, weight: 16 },
        { arbitrary: fc.constantFrom(undefined, null, '', 0, [], {}), weight: 1 },
      )
    const text = fc.string({ minLength: 1, maxLength: 16 })
    const date = fc.date({ min: new Date(0), max: new Date('2999-12-31'), noInvalidDate: true })
    const expiration = fc.oneof(
      { arbitrary: date.map((d) => d.toISOString().replace(/\.\d{3}Z$/, 'Z')), weight: 3 },
      { arbitrary: date.map((d) => d.toISOString()), weight: 2 },
      { arbitrary: fc.string({ maxLength: 24 }), weight: 1 },
    )
    const reply = fc.record(
      {
        RequestId: field(fc.string()),
        AssumedRoleUser: field(fc.record({ AssumedRoleId: field(text), Arn: field(text) })),
        Credentials: field(
          fc.record({
            AccessKeyId: field(text),
            AccessKeySecret: field(text),
            SecurityToken: field(text),
            Expiration: field(expiration),
          }),
        ),
        SourceIdentity: field(fc.string()),
        Extra: fc.anything(),
      },
      { requiredKeys: ['RequestId', 'AssumedRoleUser', 'Credentials'] },
    )
    let accepted = 0
    let refused = 0
    fc.assert(
      fc.property(
        fc.oneof({ arbitrary: reply, weight: 9 }, { arbitrary: fc.anything(), weight: 1 }),
        (body) => {
          const schema = assumeRoleReply.safeParse(body)
          const read = readAssumeRoleReply(body)
          expect(read !== undefined).toBe(schema.success)
          if (read) expect(read).toStrictEqual(schema.data)
          if (read) accepted++
          else refused++
        },
      ),
      { numRuns: 2_000 },
    )
    expect(Math.min(accepted, refused)).toBeGreaterThan(200)
  })
})
