import { describe, expect, it } from 'vitest'
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

describe('assumeRoleReply: what an STS reply must hold', () => {
  it('takes a well-formed reply, with or without milliseconds, SourceIdentity and extra fields', () => {
    for (const reply of [
      good,
      assumeRoleBody({ Expiration: '2026-11-22T11:00:00.123Z' }),
      { ...good, SourceIdentity: 'alice@example.com', Extra: { kept: false } },
      { ...good, SourceIdentity: '' },
    ]) {
      expect(assumeRoleReply.safeParse(reply).success).toBe(true)
    }
  })

  for (const [name, reply] of MALFORMED) {
    it(`refuses ${name}`, () => {
      expect(assumeRoleReply.safeParse(reply).success).toBe(false)
    })
  }
})
