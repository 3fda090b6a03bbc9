import * as z from '../zod.ts'
import { isKnownConditionKey } from './condition-keys.ts'
import { isKnownOperator, type ConditionBlock } from './conditions.ts'

const list = z.pipe(
  z.union([
    z.string().check(z.minLength(1)),
    z.array(z.string().check(z.minLength(1))).check(z.minLength(1)),
  ]),
  z.transform((v) => (typeof v === 'string' ? [v] : v)),
)

const conditionValues = z.pipe(
  z.union([
    z.string(),
    z.boolean(),
    z.number(),
    z.array(z.union([z.string(), z.boolean(), z.number()])).check(z.minLength(1)),
  ]),
  z.transform((v) => (Array.isArray(v) ? v : [v]).map(String)),
)

const condition = z.record(z.string(), z.record(z.string(), conditionValues)).check(
  z.superRefine((block, ctx) => {
    for (const [operator, keys] of Object.entries(block)) {
      if (!isKnownOperator(operator)) {
        ctx.addIssue({
          code: 'custom',
          path: [operator],
          message: `unsupported condition operator ${operator}`,
        })
      }
      for (const key of Object.keys(keys)) {
        if (!isKnownConditionKey(key)) {
          ctx.addIssue({
            code: 'custom',
            path: [operator, key],
            message: `unknown condition key ${key}`,
          })
        }
      }
    }
  }),
)

const principal = z.union([
  z.literal('*'),
  z
    .strictObject({
      RAM: z.optional(list),
      Service: z.optional(list),
      Federated: z.optional(list),
    })
    .check(z.refine((p) => p.RAM || p.Service || p.Federated, 'Principal names no principal')),
])

const statement = z
  .strictObject({
    Sid: z.optional(z.string()),
    Effect: z.enum(['Allow', 'Deny']),
    Action: z.optional(list),
    NotAction: z.optional(list),
    Resource: z.optional(list),
    NotResource: z.optional(list),
    Principal: z.optional(principal),
    Condition: z.optional(condition),
  })
  .check(
    z.refine((s) => (s.Action === undefined) !== (s.NotAction === undefined), {
      message: 'a statement needs exactly one of Action and NotAction',
    }),
    z.refine((s) => !(s.Resource && s.NotResource), {
      message: 'Resource and NotResource are exclusive',
    }),
  )

/** A RAM policy after parsing: every list normalised to an array. @public */
export type RamStatement = z.output<typeof statement> & { Condition?: ConditionBlock }
/** @public */
export interface RamPolicy {
  readonly Version: '1'
  readonly Statement: readonly RamStatement[]
}

const document = z.strictObject({
  Version: z.literal('1'),
  Statement: z.array(statement).check(z.minLength(1)),
})

/**
 * `identity`: permission and session policies — every statement names a Resource, none a Principal.
 * `trust`: a role's trust policy — every statement names a Principal and only `sts:*` actions.
 * @public
 */
export type PolicyKind = 'identity' | 'trust'

/** @public */
export type PolicyParseResult =
  | { readonly ok: true; readonly policy: RamPolicy }
  | { readonly ok: false; readonly problems: readonly string[] }

const kindProblems = (policy: RamPolicy, kind: PolicyKind): string[] =>
  policy.Statement.flatMap((s, i) => {
    const at = `Statement[${i}]`
    if (kind === 'identity') {
      return [
        ...(s.Principal ? [`${at}: Principal is only allowed in trust policies`] : []),
        ...(!s.Resource && !s.NotResource ? [`${at}: Resource is required`] : []),
      ]
    }
    return [
      ...(!s.Principal ? [`${at}: Principal is required in a trust policy`] : []),
      ...((s.Action ?? []).some((a) => !a.toLowerCase().startsWith('sts:'))
        ? [`${at}: a trust policy may only allow sts: actions`]
        : []),
    ]
  })

/**
 * The RAM policy grammar check: JSON text or a value in, a normalised policy or a list of
 * problems out (one line each, with the path). Unknown condition keys and operators are problems.
 * @example
 * const parsed = parsePolicy(text, 'identity')
 * if (!parsed.ok) throw new Error(parsed.problems.join('; '))
 * @public
 */
export const parsePolicy = (input: unknown, kind: PolicyKind): PolicyParseResult => {
  let value = input
  if (typeof input === 'string') {
    try {
      value = JSON.parse(input)
    } catch {
      return { ok: false, problems: ['policy is not valid JSON'] }
    }
  }
  const parsed = document.safeParse(value)
  if (!parsed.success) {
    return {
      ok: false,
      problems: parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`),
    }
  }
  const policy = parsed.data as RamPolicy
  const problems = kindProblems(policy, kind)
  return problems.length > 0 ? { ok: false, problems } : { ok: true, policy }
}
