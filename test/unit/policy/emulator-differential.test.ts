import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  conditionsMet,
  EXTERNAL_ID_KEY,
  isKnownKey,
  knownKeys,
} from '../../../lib/emulator/policy/conditions.ts'
import { parsePolicyDocument, type PolicyKind } from '../../../lib/emulator/policy/document.ts'
import {
  conditionContext,
  evaluatePolicies,
  type AuthorizationRequest,
  type Decision,
} from '../../../lib/emulator/policy/evaluate.ts'
import { actionMatches, resourceMatches } from '../../../lib/emulator/policy/wildcard.ts'
import {
  EXTERNAL_ID_CONDITION_KEY,
  isKnownConditionKey,
  KNOWN_CONDITION_KEYS,
} from '../../../lib/policy/condition-keys.ts'
import { conditionsHold, isKnownOperator } from '../../../lib/policy/conditions.ts'
import { parsePolicy, type RamPolicy } from '../../../lib/policy/schema.ts'
import { wildcardMatch } from '../../../lib/policy/wildcard.ts'

/**
 * The emulator reads and evaluates RAM policies with code of its own (lib/emulator/policy/), so
 * that a bug in the product's grammar, matcher or conditions cannot hide behind an emulator that
 * shares it. Here both run on the same random documents and requests and must agree wherever
 * both apply; a disagreement is a bug on one side, and the counterexample says which input.
 */
const RUNS = { numRuns: 400 }

// Few characters, so patterns and values collide often; case pairs and characters whose case
// mapping changes length, so case folding is exercised, not just ASCII.
const text = (chars: string[], maxLength = 8) =>
  fc.array(fc.constantFrom(...chars), { maxLength }).map((cs) => cs.join(''))
const patternChars = ['a', 'A', 'b', ':', '/', '*', '?', 'İ', 'ß', 'ǅ']
const valueChars = ['a', 'A', 'b', ':', '/', 'i', 'İ', 'ß', 'S', 'ǅ', '*', '?']
// Condition values and request values drawn from one small pool, so that they meet.
const SHARED_VALUES = [
  'a',
  'A',
  'ab',
  'a*',
  'A?',
  'true',
  'TRUE',
  'False',
  '1',
  '1.5',
  '',
  'İ',
  'i̇',
]
const contextValue = fc.oneof(text(valueChars), fc.constantFrom(...SHARED_VALUES))

const KEYS = [
  'sts:ExternalId',
  'STS:externalid',
  'acs:SourceIp',
  'oss:Prefix',
  'oidc:sub',
  'acs:NoSuchKey',
]
const OPERATORS = [
  'StringEquals',
  'StringNotEquals',
  'StringEqualsIgnoreCase',
  'StringNotEqualsIgnoreCase',
  'StringLike',
  'StringNotLike',
  'Bool',
  'stringequals',
  'NumericEquals',
]
const ACTIONS = [
  'oss:PutObject',
  'oss:Get*',
  'OSS:putobject',
  'sts:AssumeRole',
  'sts:*',
  '*',
  'kms:?etSecretValue',
]
const RESOURCES = [
  '*',
  'acs:oss:*:*:b/users/alice/*',
  'acs:oss:*:*:b/users/ALICE/a',
  'acs:ram::1:role/r',
]

const scalar = fc.oneof(
  text(patternChars),
  fc.boolean(),
  fc.integer({ min: -1, max: 2 }),
  fc.constantFrom(1.5, ...SHARED_VALUES),
)
const conditionValue = fc.oneof(
  { weight: 6, arbitrary: fc.oneof(scalar, fc.array(scalar, { minLength: 1, maxLength: 3 })) },
  { weight: 1, arbitrary: fc.constantFrom<unknown>([], null, [[]], {}) },
)
const conditionBlock = fc.dictionary(
  fc.constantFrom(...OPERATORS),
  fc.oneof(
    {
      weight: 8,
      arbitrary: fc.dictionary(fc.constantFrom(...KEYS), conditionValue, { maxKeys: 2 }),
    },
    { weight: 1, arbitrary: fc.constantFrom<unknown>('x', [], null) },
  ),
  { maxKeys: 2 },
)
// Statements the grammar accepts, or nearly every case would be a refusal and prove little.
const validNames = (pool: string[]) =>
  fc.oneof(
    fc.constantFrom(...pool),
    fc.array(
      fc.oneof(
        fc.constantFrom(...pool),
        text(patternChars).filter((t) => t !== ''),
      ),
      { minLength: 1, maxLength: 3 },
    ),
  )
const validConditions = fc.dictionary(
  fc.constantFrom(...OPERATORS.filter((o) => isKnownOperator(o))),
  fc.dictionary(
    fc.constantFrom(...KEYS.filter((k) => isKnownConditionKey(k))),
    fc.oneof(scalar, fc.array(scalar, { minLength: 1, maxLength: 3 })),
    { maxKeys: 2 },
  ),
  { maxKeys: 2 },
)
const identityStatement = fc
  .record(
    {
      Effect: fc.constantFrom('Allow', 'Deny'),
      actions: fc.tuple(fc.constantFrom('Action', 'NotAction'), validNames(ACTIONS)),
      resources: fc.tuple(fc.constantFrom('Resource', 'NotResource'), validNames(RESOURCES)),
      Condition: validConditions,
    },
    { requiredKeys: ['Effect', 'actions', 'resources'] },
  )
  .map(({ actions, resources, ...rest }) => ({
    ...rest,
    [actions[0]]: actions[1],
    [resources[0]]: resources[1],
  }))
const trustStatement = fc.record(
  {
    Effect: fc.constantFrom('Allow', 'Deny'),
    Action: fc.constantFrom('sts:AssumeRole', ['sts:AssumeRole', 'STS:*'], 'sts:Assume?ole'),
    Principal: fc.oneof(
      fc.constant('*'),
      fc.record(
        {
          RAM: validNames(['acs:ram::1:root', 'acs:ram::2:root', '*']),
          Federated: validNames(['p']),
        },
        { requiredKeys: ['RAM'] },
      ),
    ),
    Resource: validNames(RESOURCES),
    Condition: validConditions,
  },
  { requiredKeys: ['Effect', 'Action', 'Principal'] },
)

// Values that break one rule each, for one field of an otherwise valid document at a time.
const JUNK: unknown[] = [
  '',
  [''],
  [],
  7,
  null,
  [1],
  {},
  'x',
  'Maybe',
  '*',
  'acs:ram::1:root',
  'sts:AssumeRole',
  ['oss:*'],
  { RAM: [] },
  { RAM: 'acs:ram::1:root' },
  { RAM: ['*'], Other: 'x' },
  { Service: 'fc.aliyuncs.com' },
  { StringEquals: { 'acs:NoSuchKey': 'x' } },
  { stringequals: {} },
  { Bool: { 'acs:SecureTransport': [] } },
  { StringLike: { 'oss:Prefix': [['a']] } },
  { StringEquals: 'x' },
  { StringEquals: { 'oss:Prefix': null } },
  { StringEquals: { 'OSS:PREFIX': [true, 2, 'a'] } },
  { Bool: { 'acs:SecureTransport': 'TRUE' } },
]
const FIELDS = [
  'Sid',
  'Effect',
  'Action',
  'NotAction',
  'Resource',
  'NotResource',
  'Principal',
  'Condition',
  'Resources',
]

const mutated = <T extends object>(valid: fc.Arbitrary<T>, fields: string[]) =>
  fc.oneof(
    { weight: 2, arbitrary: valid.map((v): unknown => v) },
    {
      weight: 3,
      arbitrary: fc
        .tuple(
          valid,
          fc.constantFrom(...fields),
          fc.oneof(
            { weight: 6, arbitrary: fc.constantFrom(...JUNK) },
            { weight: 2, arbitrary: conditionBlock },
            { weight: 1, arbitrary: fc.constant(undefined) },
          ),
        )
        .map(([v, field, junk]): unknown => {
          const copy = { ...v } as Record<string, unknown>
          if (junk === undefined) delete copy[field]
          else copy[field] = junk
          return copy
        }),
    },
  )
const kind = fc.constantFrom<PolicyKind>('identity', 'trust')
const validStatement = (k: PolicyKind) => (k === 'trust' ? trustStatement : identityStatement)
const validDocument = (k: PolicyKind) =>
  fc
    .array(validStatement(k), { minLength: 1, maxLength: 3 })
    .map((Statement) => ({ Version: '1', Statement }))
/** A kind, and a document mostly of that kind with at most a few faults planted in it. */
const kindAndDocument = kind.chain((k) => {
  // Now and then a statement of the other kind, which the grammar must refuse for this one.
  const statement = fc.oneof(
    { weight: 6, arbitrary: mutated(validStatement(k), FIELDS) },
    { weight: 1, arbitrary: validStatement(k === 'trust' ? 'identity' : 'trust') },
  )
  const body = fc
    .array(statement, { minLength: 1, maxLength: 2 })
    .map((Statement) => ({ Version: '1', Statement }))
  return fc.tuple(fc.constant(k), mutated(body, ['Version', 'Statement', 'Extra']))
})

const contextEntries = fc.dictionary(
  fc.constantFrom(...KEYS),
  fc.oneof(contextValue, fc.array(contextValue, { maxLength: 2 })),
  { maxKeys: 3 },
)
const request = fc.record(
  {
    action: fc.oneof(
      fc.constantFrom('oss:PutObject', 'oss:GetObject', 'sts:AssumeRole', 'OSS:PUTOBJECT'),
      text(valueChars),
    ),
    resource: fc.oneof(
      fc.constantFrom('acs:oss:*:*:b/users/alice/a', 'acs:ram::1:role/r'),
      text(valueChars),
    ),
    principal: fc.record({
      RAM: fc.array(fc.constantFrom('acs:ram::1:root', 'acs:ram::2:root'), { maxLength: 2 }),
    }),
    context: contextEntries.map(conditionContext),
  },
  { requiredKeys: ['action', 'context'] },
)

/**
 * The product's matchers composed the way RAM documents evaluation: an explicit Deny wins, then
 * any Allow. The product itself never evaluates (it writes policies for STS to enforce); this is
 * what its matchers would conclude, and so what a product-side check would rely on.
 */
const listed = (names: readonly string[] | undefined): readonly string[] => names ?? []

const productDecision = (policies: readonly RamPolicy[], r: AuthorizationRequest): Decision => {
  const applies = policies
    .flatMap((p) => p.Statement)
    .filter((s) => {
      const action = s.Action
        ? s.Action.some((p) => wildcardMatch(p, r.action, true))
        : !listed(s.NotAction).some((p) => wildcardMatch(p, r.action, true))
      const resource =
        r.resource === undefined ||
        ((!s.Resource || s.Resource.some((p) => wildcardMatch(p, r.resource!))) &&
          !listed(s.NotResource).some((p) => wildcardMatch(p, r.resource!)))
      const named = s.Principal
      const principal =
        named === undefined ||
        named === '*' ||
        (['RAM', 'Service', 'Federated'] as const).some((t) =>
          (r.principal?.[t] ?? []).some((id) =>
            (named[t] ?? []).some((n) => n === '*' || n === id),
          ),
        )
      return action && resource && principal && conditionsHold(s.Condition, r.context ?? new Map())
    })
  if (applies.some((s) => s.Effect === 'Deny')) return 'Deny'
  return applies.length > 0 ? 'Allow' : 'NotApplicable'
}

describe('emulator policy evaluation vs the product policy checks', () => {
  it('know the same condition keys and the same ExternalId key', () => {
    expect(new Set(knownKeys())).toEqual(new Set(KNOWN_CONDITION_KEYS))
    expect(EXTERNAL_ID_KEY.toLowerCase()).toBe(EXTERNAL_ID_CONDITION_KEY.toLowerCase())
    fc.assert(
      fc.property(fc.constantFrom(...KEYS), text(valueChars), (k, t) => {
        expect(isKnownKey(k)).toBe(isKnownConditionKey(k))
        expect(isKnownKey(t)).toBe(isKnownConditionKey(t))
      }),
    )
  })

  it('match wildcards alike: actions ignoring case, resources as written', () => {
    // Found by this test: the product's matcher once read a pattern `*` facing a literal `*` in
    // the value as that one character, so `*` did not match `*a`.
    expect([wildcardMatch('*', '*a'), resourceMatches('*', '*a')]).toEqual([true, true])
    fc.assert(
      fc.property(text(patternChars), text(valueChars, 10), (pattern, value) => {
        expect(resourceMatches(pattern, value)).toBe(wildcardMatch(pattern, value))
        expect(actionMatches(pattern, value)).toBe(wildcardMatch(pattern, value, true))
      }),
      { numRuns: 2000 },
    )
  })

  it('hold conditions alike on parsed condition blocks', () => {
    const wrap = (Condition: unknown) => ({
      Version: '1',
      Statement: [{ Effect: 'Allow', Action: '*', Resource: '*', Condition }],
    })
    // Request values made from the block's own values, changed a little or not at all, so that
    // nearly every case reaches the comparison instead of failing on a value nobody wrote.
    const near = (value: string) =>
      fc.constantFrom(value, value.toUpperCase(), value.toLowerCase(), `${value}x`, value.slice(1))
    const withContext = validConditions.chain((block) => {
      const pairs = Object.values(block).flatMap((keys) =>
        Object.entries(keys as Record<string, unknown>).map(
          ([k, v]) => [k, [v].flat().map(String)] as const,
        ),
      )
      const entries = pairs.map(([k, values]) =>
        fc
          .option(
            fc.array(fc.oneof(fc.constantFrom(...values).chain(near), contextValue), {
              maxLength: 2,
            }),
            { nil: undefined },
          )
          .map((v) => [k.toLowerCase(), v] as const),
      )
      return fc.tuple(fc.constant(block), fc.tuple(...entries))
    })
    fc.assert(
      fc.property(withContext, ([block, entries]) => {
        const context = new Map(
          entries.filter((e): e is readonly [string, string[]] => e[1] !== undefined),
        )
        const product = parsePolicy(wrap(block), 'identity')
        const emulator = parsePolicyDocument(wrap(block), 'identity')
        if (!product.ok || !emulator.ok) throw new Error('a valid condition block was refused')
        const held = conditionsHold(product.policy.Statement[0]!.Condition, context)
        expect(conditionsMet(emulator.policy.Statement[0]!.Condition, context)).toBe(held)
      }),
      { numRuns: 2000 },
    )
  })

  it('accept and refuse the same documents, and normalise them alike', () => {
    const verdicts = { accepted: 0, refused: 0 }
    fc.assert(
      fc.property(kindAndDocument, fc.boolean(), ([k, doc], asText) => {
        const input = asText ? JSON.stringify(doc) : doc
        const product = parsePolicy(input, k)
        const emulator = parsePolicyDocument(input, k)
        expect(emulator.ok, JSON.stringify(product.ok ? product.policy : product.problems)).toBe(
          product.ok,
        )
        if (product.ok && emulator.ok) expect(emulator.policy).toEqual(product.policy)
        verdicts[product.ok ? 'accepted' : 'refused']++
      }),
      { numRuns: 3000 },
    )
    expect(verdicts.accepted).toBeGreaterThan(50)
    expect(verdicts.refused).toBeGreaterThan(50)
  })

  it('reach the same decision on documents both accept', () => {
    let checked = 0
    fc.assert(
      fc.property(
        kind.chain((k) =>
          fc.tuple(fc.constant(k), fc.array(validDocument(k), { minLength: 1, maxLength: 2 })),
        ),
        request,
        ([k, docs], r) => {
          const product = docs.map((d) => parsePolicy(d, k))
          const emulator = docs.map((d) => parsePolicyDocument(d, k))
          if (!product.every((p) => p.ok) || !emulator.every((p) => p.ok)) return
          checked++
          const asked = k === 'trust' ? { ...r, resource: undefined } : r
          const productPolicies = product.map((p) => (p.ok ? p.policy : undefined)!)
          const emulatorPolicies = emulator.map((p) => (p.ok ? p.policy : undefined)!)
          const { resource, ...trustRequest } = asked
          const req = resource === undefined ? trustRequest : asked
          expect(evaluatePolicies(emulatorPolicies, req)).toBe(
            productDecision(productPolicies, req),
          )
        },
      ),
      RUNS,
    )
    expect(checked).toBeGreaterThan(20)
  })

  it('refuse the operators the product refuses', () => {
    for (const operator of OPERATORS) {
      const doc = {
        Version: '1',
        Statement: [{ Effect: 'Allow', Action: '*', Resource: '*', Condition: { [operator]: {} } }],
      }
      expect(parsePolicyDocument(doc, 'identity').ok).toBe(isKnownOperator(operator))
    }
  })
})
