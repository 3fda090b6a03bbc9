import { isKnownKey, isKnownOperator, type ConditionMap } from './conditions.ts'

/** The principal types a trust policy may name. @internal */
export type PrincipalType = 'RAM' | 'Service' | 'Federated'

/** One statement as the emulator's RAM stores it: every list an array. @internal */
export interface PolicyStatement {
  readonly Sid?: string | undefined
  readonly Effect: 'Allow' | 'Deny'
  readonly Action?: readonly string[] | undefined
  readonly NotAction?: readonly string[] | undefined
  readonly Resource?: readonly string[] | undefined
  readonly NotResource?: readonly string[] | undefined
  readonly Principal?:
    '*' | Readonly<Partial<Record<PrincipalType, readonly string[] | undefined>>> | undefined
  readonly Condition?: ConditionMap | undefined
}

/** A RAM policy document the emulator accepted. @public */
export interface PolicyDocument {
  readonly Version: '1'
  readonly Statement: readonly PolicyStatement[]
}

/**
 * `identity`: permission and session policies, which name resources and no principal.
 * `trust`: a role's trust policy, which names principals and only `sts:` actions.
 * @public
 */
export type PolicyKind = 'identity' | 'trust'

/** @public */
export type PolicyParse =
  | { readonly ok: true; readonly policy: PolicyDocument }
  | { readonly ok: false; readonly problems: readonly string[] }

type Json = Readonly<Record<string, unknown>>

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

const STATEMENT_FIELDS = new Set([
  'Sid',
  'Effect',
  'Action',
  'NotAction',
  'Resource',
  'NotResource',
  'Principal',
  'Condition',
])
const PRINCIPAL_TYPES: readonly PrincipalType[] = ['RAM', 'Service', 'Federated']

/** Collects problems as it reads, so one call reports every fault with where it is. */
class Reader {
  readonly problems: string[] = []

  fault(at: string, message: string): undefined {
    this.problems.push(`${at}: ${message}`)
    return undefined
  }

  noOthers(value: Json, allowed: ReadonlySet<string>, at: string): void {
    for (const key of Object.keys(value))
      if (!allowed.has(key)) this.fault(at, `unknown field ${key}`)
  }

  /**
   * An element that takes one value or a list: the single value stands for a list of one
   * (https://www.alibabacloud.com/help/en/ram/policy-structure-and-syntax). Empty names match
   * nothing anyone could mean, so they are refused, as is an empty list.
   */
  names(value: unknown, at: string): string[] | undefined {
    const list = typeof value === 'string' ? [value] : value
    if (!Array.isArray(list) || list.length === 0)
      return this.fault(at, 'expected a name or a non-empty list of names')
    if (!list.every((v): v is string => typeof v === 'string' && v !== ''))
      return this.fault(at, 'names must be non-empty strings')
    return [...list]
  }

  /** Condition values: strings, booleans and numbers, all compared as text. */
  conditionValues(value: unknown, at: string): string[] | undefined {
    const scalar = (v: unknown): v is string | boolean | number =>
      typeof v === 'string' ||
      typeof v === 'boolean' ||
      (typeof v === 'number' && Number.isFinite(v))
    if (scalar(value)) return [String(value)]
    if (Array.isArray(value) && value.length > 0 && value.every(scalar)) return value.map(String)
    return this.fault(at, 'expected a value or a non-empty list of values')
  }

  conditions(value: unknown, at: string): ConditionMap | undefined {
    if (!isObject(value)) return this.fault(at, 'expected an object of operators')
    const out: Record<string, Record<string, string[]>> = {}
    for (const [operator, keys] of Object.entries(value)) {
      const here = `${at}.${operator}`
      if (!isKnownOperator(operator)) this.fault(here, `unsupported condition operator ${operator}`)
      if (!isObject(keys)) {
        this.fault(here, 'expected an object of condition keys')
        continue
      }
      const block: Record<string, string[]> = {}
      for (const [key, values] of Object.entries(keys)) {
        if (!isKnownKey(key)) this.fault(`${here}.${key}`, `unknown condition key ${key}`)
        const read = this.conditionValues(values, `${here}.${key}`)
        if (read) block[key] = read
      }
      out[operator] = block
    }
    return out
  }

  principal(value: unknown, at: string): PolicyStatement['Principal'] {
    if (value === '*') return '*'
    if (!isObject(value)) return this.fault(at, 'expected "*" or an object of principal types')
    this.noOthers(value, new Set(PRINCIPAL_TYPES), at)
    const out: Partial<Record<PrincipalType, string[]>> = {}
    for (const type of PRINCIPAL_TYPES) {
      if (value[type] === undefined) continue
      const ids = this.names(value[type], `${at}.${type}`)
      if (ids) out[type] = ids
    }
    if (PRINCIPAL_TYPES.every((type) => value[type] === undefined))
      this.fault(at, 'names no principal')
    return out
  }

  statement(value: unknown, at: string, kind: PolicyKind): PolicyStatement | undefined {
    if (!isObject(value)) return this.fault(at, 'expected a statement object')
    this.noOthers(value, STATEMENT_FIELDS, at)
    const sid = value.Sid
    if (sid !== undefined && typeof sid !== 'string') this.fault(`${at}.Sid`, 'expected a string')
    const effect = value.Effect
    if (effect !== 'Allow' && effect !== 'Deny')
      this.fault(`${at}.Effect`, 'expected "Allow" or "Deny"')
    const list = (field: 'Action' | 'NotAction' | 'Resource' | 'NotResource') =>
      value[field] === undefined ? undefined : this.names(value[field], `${at}.${field}`)
    const action = list('Action')
    const notAction = list('NotAction')
    const resource = list('Resource')
    const notResource = list('NotResource')
    const hasAction = value.Action !== undefined
    const hasResource = value.Resource !== undefined || value.NotResource !== undefined
    if (hasAction === (value.NotAction !== undefined))
      this.fault(at, 'a statement needs exactly one of Action and NotAction')
    if (value.Resource !== undefined && value.NotResource !== undefined)
      this.fault(at, 'Resource and NotResource are exclusive')
    const principal =
      value.Principal === undefined ? undefined : this.principal(value.Principal, `${at}.Principal`)
    const condition =
      value.Condition === undefined
        ? undefined
        : this.conditions(value.Condition, `${at}.Condition`)
    if (kind === 'identity') {
      if (value.Principal !== undefined)
        this.fault(at, 'Principal is only allowed in trust policies')
      if (!hasResource) this.fault(at, 'Resource is required')
    } else {
      if (value.Principal === undefined) this.fault(at, 'Principal is required in a trust policy')
      if ((action ?? []).some((a) => !a.toLowerCase().startsWith('sts:')))
        this.fault(at, 'a trust policy may only allow sts: actions')
    }
    return {
      ...(typeof sid === 'string' && { Sid: sid }),
      Effect: effect === 'Deny' ? 'Deny' : 'Allow',
      ...(action && { Action: action }),
      ...(notAction && { NotAction: notAction }),
      ...(resource && { Resource: resource }),
      ...(notResource && { NotResource: notResource }),
      ...(principal && { Principal: principal }),
      ...(condition && { Condition: condition }),
    }
  }
}

/**
 * The emulator's RAM reading a policy document, as CreatePolicy, CreateRole and STS's `Policy`
 * parameter do: JSON text or a value in; the document with every list normalised, or every
 * problem with its path. Unknown condition keys and operators are problems, not ignored.
 *
 * Written apart from the product's grammar check: the product renders the policies the emulator
 * receives, so sharing the check would let a grammar bug pass on both sides unseen.
 * @public
 */
export const parsePolicyDocument = (input: unknown, kind: PolicyKind): PolicyParse => {
  let value = input
  if (typeof input === 'string') {
    try {
      value = JSON.parse(input)
    } catch {
      return { ok: false, problems: ['policy is not valid JSON'] }
    }
  }
  const reader = new Reader()
  if (!isObject(value)) return { ok: false, problems: ['(root): expected a policy object'] }
  reader.noOthers(value, new Set(['Version', 'Statement']), '(root)')
  if (value.Version !== '1') reader.fault('Version', 'must be "1"')
  const statements = Array.isArray(value.Statement) ? value.Statement : []
  if (statements.length === 0) reader.fault('Statement', 'expected a non-empty list of statements')
  const read = statements.map((s, i) => reader.statement(s, `Statement[${i}]`, kind))
  if (reader.problems.length > 0) return { ok: false, problems: reader.problems }
  return { ok: true, policy: { Version: '1', Statement: read.filter((s) => s !== undefined) } }
}
