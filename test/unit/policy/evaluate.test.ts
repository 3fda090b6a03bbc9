import { describe, expect, it } from 'vitest'
import { conditionContext, evaluatePolicies } from '../../../lib/emulator/policy/evaluate.ts'
import { parsePolicy, type RamPolicy } from '../../../lib/policy/schema.ts'

const policy = (statements: unknown[], kind: 'identity' | 'trust' = 'identity'): RamPolicy => {
  const parsed = parsePolicy({ Version: '1', Statement: statements }, kind)
  if (!parsed.ok) throw new Error(parsed.problems.join('; '))
  return parsed.policy
}

const upload = policy([
  {
    Effect: 'Allow',
    Action: ['oss:PutObject', 'oss:Get*'],
    Resource: 'acs:oss:*:*:bucket/users/alice/*',
  },
])

describe('evaluatePolicies', () => {
  it('allows what an Allow statement matches and nothing else', () => {
    expect(
      evaluatePolicies([upload], {
        action: 'oss:PutObject',
        resource: 'acs:oss:*:*:bucket/users/alice/a',
      }),
    ).toBe('Allow')
    expect(
      evaluatePolicies([upload], {
        action: 'oss:GetObjectAcl',
        resource: 'acs:oss:*:*:bucket/users/alice/a',
      }),
    ).toBe('Allow')
    expect(
      evaluatePolicies([upload], {
        action: 'oss:DeleteObject',
        resource: 'acs:oss:*:*:bucket/users/alice/a',
      }),
    ).toBe('NotApplicable')
    expect(
      evaluatePolicies([upload], {
        action: 'oss:PutObject',
        resource: 'acs:oss:*:*:bucket/users/bob/a',
      }),
    ).toBe('NotApplicable')
  })

  it('matches actions case-insensitively and resources case-sensitively', () => {
    expect(
      evaluatePolicies([upload], {
        action: 'OSS:putobject',
        resource: 'acs:oss:*:*:bucket/users/alice/a',
      }),
    ).toBe('Allow')
    expect(
      evaluatePolicies([upload], {
        action: 'oss:PutObject',
        resource: 'acs:oss:*:*:bucket/users/ALICE/a',
      }),
    ).toBe('NotApplicable')
  })

  it('lets an explicit Deny win over any Allow, in any order', () => {
    const deny = policy([
      { Effect: 'Deny', Action: 'oss:*', Resource: 'acs:oss:*:*:bucket/users/alice/secret/*' },
    ])
    const request = { action: 'oss:PutObject', resource: 'acs:oss:*:*:bucket/users/alice/secret/x' }
    expect(evaluatePolicies([upload, deny], request)).toBe('Deny')
    expect(evaluatePolicies([deny, upload], request)).toBe('Deny')
  })

  it('handles NotAction and NotResource', () => {
    const p = policy([
      { Effect: 'Allow', NotAction: 'oss:Delete*', NotResource: 'acs:oss:*:*:private/*' },
    ])
    expect(
      evaluatePolicies([p], { action: 'oss:PutObject', resource: 'acs:oss:*:*:public/x' }),
    ).toBe('Allow')
    expect(
      evaluatePolicies([p], { action: 'oss:DeleteObject', resource: 'acs:oss:*:*:public/x' }),
    ).toBe('NotApplicable')
    expect(
      evaluatePolicies([p], { action: 'oss:PutObject', resource: 'acs:oss:*:*:private/x' }),
    ).toBe('NotApplicable')
  })

  describe('string condition operators', () => {
    const withCondition = (operator: string, value: string | string[]) =>
      policy([
        {
          Effect: 'Allow',
          Action: 'oss:*',
          Resource: '*',
          Condition: { [operator]: { 'oss:Prefix': value } },
        },
      ])
    const check = (operator: string, value: string | string[], actual?: string) =>
      evaluatePolicies([withCondition(operator, value)], {
        action: 'oss:ListObjects',
        resource: 'acs:oss:*:*:b',
        context: conditionContext({ 'oss:Prefix': actual }),
      })

    it.each([
      ['StringEquals', 'users/alice/', 'users/alice/', 'Allow'],
      ['StringEquals', 'users/alice/', 'users/Alice/', 'NotApplicable'],
      ['StringEquals', ['a/', 'users/alice/'], 'users/alice/', 'Allow'],
      ['StringNotEquals', 'users/alice/', 'users/bob/', 'Allow'],
      ['StringNotEquals', 'users/alice/', 'users/alice/', 'NotApplicable'],
      ['StringEqualsIgnoreCase', 'users/alice/', 'USERS/ALICE/', 'Allow'],
      ['StringNotEqualsIgnoreCase', 'users/alice/', 'USERS/ALICE/', 'NotApplicable'],
      ['StringLike', 'users/alice/*', 'users/alice/photos/', 'Allow'],
      ['StringLike', 'users/alice/*', 'users/alice2/', 'NotApplicable'],
      ['StringNotLike', 'users/alice/*', 'users/bob/', 'Allow'],
      ['StringNotLike', 'users/alice/*', 'users/alice/x', 'NotApplicable'],
    ])('%s %j vs %s → %s', (operator, value, actual, expected) => {
      expect(check(operator, value, actual)).toBe(expected)
    })

    it('a positive operator fails when the key is absent; a negated one holds', () => {
      expect(check('StringEquals', 'x')).toBe('NotApplicable')
      expect(check('StringNotEquals', 'x')).toBe('Allow')
    })
  })

  it('matches trust-policy principals, root standing for every identity of its account', () => {
    const trust = policy(
      [{ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { RAM: ['acs:ram::111:root'] } }],
      'trust',
    )
    const ask = (ids: string[]) =>
      evaluatePolicies([trust], { action: 'sts:AssumeRole', principal: { RAM: ids } })
    expect(ask(['acs:ram::111:root', 'acs:ram::111:user/alice'])).toBe('Allow')
    expect(ask(['acs:ram::222:root', 'acs:ram::222:user/alice'])).toBe('NotApplicable')
    expect(evaluatePolicies([trust], { action: 'sts:AssumeRole' })).toBe('NotApplicable')
  })
})
