import { describe, expect, it } from 'vitest'
import { parsePolicyDocument, type PolicyDocument } from '../../../lib/emulator/policy/document.ts'
import { conditionContext, evaluatePolicies } from '../../../lib/emulator/policy/evaluate.ts'
import {
  explainAccess,
  type AccessRequest,
  type Evaluate,
} from '../../../lib/policy/explain-access.ts'
import { ossScope } from '../../../lib/policy/oss-scope.ts'

const doc = (...Statement: unknown[]): PolicyDocument => {
  const parsed = parsePolicyDocument({ Version: '1', Statement }, 'identity')
  if (!parsed.ok) throw new Error(parsed.problems.join('; '))
  return parsed.policy
}

const evaluate: Evaluate<PolicyDocument> = (policies, r) =>
  evaluatePolicies(policies, {
    action: r.action,
    resource: r.resource,
    context: conditionContext(r.context),
  })

const BUCKET = 'acs:oss:*:*:example-avatars'
const session = doc(
  { Effect: 'Allow', Action: ['oss:PutObject'], Resource: [`${BUCKET}/users/alice/*`] },
  {
    Effect: 'Allow',
    Action: ['oss:ListObjects'],
    Resource: [BUCKET],
    Condition: { StringLike: { 'oss:Prefix': ['users/alice/*'] } },
  },
  { Effect: 'Deny', Action: ['oss:PutObject'], Resource: [`${BUCKET}/users/alice/*/../*`] },
)
const ceiling = doc(
  { Effect: 'Allow', Action: ['oss:PutObject'], Resource: [`${BUCKET}/users/*`] },
  { Effect: 'Allow', Action: ['oss:ListObjects'], Resource: [BUCKET] },
)

const ask = (action: string, resource: string, context: AccessRequest['context'] = {}) => ({
  action,
  resource,
  context,
})

describe('explainAccess', () => {
  it('allows only what the session policy and the role ceiling both allow', () => {
    const inside = explainAccess({
      ceiling: [ceiling],
      session,
      evaluate,
      request: ask('oss:PutObject', `${BUCKET}/users/alice/a.png`),
    })
    expect(inside).toMatchObject({
      verdict: 'allowed',
      role: { known: true, decision: 'Allow' },
      session: { present: true, decision: 'Allow' },
      oss: { scope: 'object', prefixScoped: true },
    })
    // The prefix boundary: a sibling that shares the caller's name as a prefix is outside.
    const sibling = ask('oss:PutObject', `${BUCKET}/users/alicex/a.png`)
    expect(
      explainAccess({ ceiling: [ceiling], session, evaluate, request: sibling }),
    ).toMatchObject({
      verdict: 'denied',
      role: { decision: 'Allow' },
      session: { decision: 'NotApplicable' },
    })
    const narrowCeiling = doc({
      Effect: 'Allow',
      Action: ['oss:PutObject'],
      Resource: [`${BUCKET}/users/bob/*`],
    })
    const cut = ask('oss:PutObject', `${BUCKET}/users/alice/a.png`)
    expect(
      explainAccess({ ceiling: [narrowCeiling], session, evaluate, request: cut }),
    ).toMatchObject({ verdict: 'denied', role: { decision: 'NotApplicable' } })
  })

  it('lets an explicit Deny in the session policy win', () => {
    const request = ask('oss:PutObject', `${BUCKET}/users/alice/x/../y`)
    expect(explainAccess({ ceiling: [ceiling], session, evaluate, request })).toMatchObject({
      verdict: 'denied',
      session: { decision: 'Deny' },
    })
  })

  it('evaluates the session policy alone, and says so, when the ceiling is unknown', () => {
    const request = ask('oss:PutObject', `${BUCKET}/users/alice/a.png`)
    expect(explainAccess({ ceiling: undefined, session, evaluate, request })).toMatchObject({
      verdict: 'allowed',
      role: { known: false, decision: null },
    })
    expect(
      explainAccess({ ceiling: undefined, session: undefined, evaluate, request }),
    ).toMatchObject({ verdict: 'unknown', session: { present: false, decision: null } })
    expect(
      explainAccess({ ceiling: [ceiling], session: undefined, evaluate, request }),
    ).toMatchObject({ verdict: 'allowed', session: { present: false } })
  })

  it('tells a listing confined by oss:Prefix from one that reaches the whole bucket', () => {
    const mine = ask('oss:ListObjects', BUCKET, { 'oss:Prefix': ['users/alice/'] })
    expect(explainAccess({ ceiling: [ceiling], session, evaluate, request: mine })).toMatchObject({
      verdict: 'allowed',
      oss: {
        scope: 'prefix-condition',
        prefixScoped: true,
        note: expect.stringMatching(/confined/),
      },
    })
    const bare = ask('oss:ListObjects', BUCKET)
    expect(explainAccess({ ceiling: [ceiling], session, evaluate, request: bare })).toMatchObject({
      verdict: 'denied',
      oss: { prefixScoped: true, note: expect.stringMatching(/names no prefix/) },
    })
    const theirs = ask('oss:ListObjects', BUCKET, { 'OSS:Prefix': ['users/bob/'] })
    expect(explainAccess({ ceiling: [ceiling], session, evaluate, request: theirs })).toMatchObject(
      { verdict: 'denied', oss: { prefixScoped: true, note: undefined } },
    )
    // The ceiling alone lists without a prefix: a profile that sends no session policy leaks it.
    expect(
      explainAccess({ ceiling: [ceiling], session: undefined, evaluate, request: mine }),
    ).toMatchObject({
      verdict: 'allowed',
      oss: { prefixScoped: false, note: expect.stringMatching(/every object in the bucket/) },
    })
  })

  it('flags bucket- and service-level operations, allowed or not', () => {
    const wide = doc({ Effect: 'Allow', Action: ['oss:*'], Resource: ['*'] })
    for (const [action, resource, scope] of [
      ['oss:GetBucketInfo', BUCKET, 'bucket'],
      ['oss:ListBuckets', 'acs:oss:*:*:*', 'service'],
    ] as const) {
      const request = ask(action, resource)
      for (const policies of [session, wide])
        expect(
          explainAccess({ ceiling: undefined, session: policies, evaluate, request }).oss,
        ).toMatchObject({ scope, prefixScoped: false, note: expect.stringContaining(action) })
    }
  })

  it('leaves other services without an OSS finding', () => {
    const request = ask('kms:GetSecretValue', 'acs:kms:cn-hangzhou:1:secret/x')
    expect(explainAccess({ ceiling: undefined, session, evaluate, request }).oss).toBeNull()
  })
})

describe('ossScope', () => {
  it.each([
    ['oss:PutObject', `${BUCKET}/users/alice/a.png`, 'object'],
    ['oss:GetObject', `${BUCKET}/`, 'object'],
    ['oss:ListObjects', BUCKET, 'prefix-condition'],
    ['OSS:listobjects', BUCKET, 'prefix-condition'],
    ['oss:GetBucketInfo', BUCKET, 'bucket'],
    ['oss:GetBucketAcl', 'acs:oss:cn-hangzhou:1234567890123456:example-avatars', 'bucket'],
    ['oss:ListBuckets', 'acs:oss:*:*:*', 'service'],
    ['oss:ListBuckets', BUCKET, 'service'],
    ['oss:GetObject', 'acs:kms:*:*:secret/x', undefined],
    ['sts:AssumeRole', 'acs:ram::1:role/x', undefined],
  ])('%s on %s is %s', (action, resource, scope) => {
    expect(ossScope(action, resource)).toBe(scope)
  })
})
