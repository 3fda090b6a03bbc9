import { describe, expect, it } from 'vitest'
import { parsePolicy } from '../../../lib/policy/schema.ts'

const allow = { Effect: 'Allow', Action: 'oss:GetObject', Resource: 'acs:oss:*:*:b/*' }

describe('parsePolicy: the RAM grammar check', () => {
  it('accepts a minimal identity policy and normalises lists', () => {
    const parsed = parsePolicy(JSON.stringify({ Version: '1', Statement: [allow] }), 'identity')
    expect(parsed.ok && parsed.policy.Statement[0]!.Action).toEqual(['oss:GetObject'])
  })

  it.each([
    ['not JSON', '{'],
    ['Version other than "1"', { Version: '2', Statement: [allow] }],
    ['no statements', { Version: '1', Statement: [] }],
    ['unknown top-level field', { Version: '1', Statement: [allow], Extra: 1 }],
    ['bad Effect', { Version: '1', Statement: [{ ...allow, Effect: 'Maybe' }] }],
    [
      'Action and NotAction together',
      { Version: '1', Statement: [{ ...allow, NotAction: 'x:y' }] },
    ],
    [
      'neither Action nor NotAction',
      { Version: '1', Statement: [{ Effect: 'Allow', Resource: '*' }] },
    ],
    ['empty Action list', { Version: '1', Statement: [{ ...allow, Action: [] }] }],
    ['unknown statement field', { Version: '1', Statement: [{ ...allow, Resources: '*' }] }],
    [
      'unknown condition key',
      {
        Version: '1',
        Statement: [{ ...allow, Condition: { StringEquals: { 'acs:NoSuchKey': 'x' } } }],
      },
    ],
    [
      'unknown operator',
      {
        Version: '1',
        Statement: [{ ...allow, Condition: { StringMaybe: { 'acs:SourceIp': 'x' } } }],
      },
    ],
    [
      'Principal in an identity policy',
      { Version: '1', Statement: [{ ...allow, Principal: { RAM: ['acs:ram::1:root'] } }] },
    ],
    [
      'no Resource in an identity policy',
      { Version: '1', Statement: [{ Effect: 'Allow', Action: 'oss:*' }] },
    ],
  ])('rejects %s', (_name, policy) => {
    const parsed = parsePolicy(policy, 'identity')
    expect(parsed.ok).toBe(false)
    expect(!parsed.ok && parsed.problems.length).toBeGreaterThan(0)
  })

  it('names the unknown condition key in its problem', () => {
    const parsed = parsePolicy(
      {
        Version: '1',
        Statement: [{ ...allow, Condition: { StringEquals: { 'sts:ExternalIdentifier': 'x' } } }],
      },
      'identity',
    )
    expect(!parsed.ok && parsed.problems.join()).toMatch(
      /unknown condition key sts:ExternalIdentifier/,
    )
  })

  it('trust policies need a Principal and sts: actions only', () => {
    const trust = {
      Effect: 'Allow',
      Action: 'sts:AssumeRole',
      Principal: { RAM: ['acs:ram::1:root'] },
    }
    expect(parsePolicy({ Version: '1', Statement: [trust] }, 'trust').ok).toBe(true)
    expect(
      parsePolicy({ Version: '1', Statement: [{ ...trust, Principal: undefined }] }, 'trust').ok,
    ).toBe(false)
    expect(
      parsePolicy({ Version: '1', Statement: [{ ...trust, Action: 'oss:*' }] }, 'trust').ok,
    ).toBe(false)
  })
})
