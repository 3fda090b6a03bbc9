import { conditionsHold, type ConditionContext } from './conditions.ts'
import type { RamPolicy, RamStatement } from './schema.ts'
import { wildcardMatch } from './wildcard.ts'

/** One request to authorize. @public */
export interface AuthorizationRequest {
  readonly action: string
  /** Absent for trust-policy evaluation, where statements carry no Resource. */
  readonly resource?: string
  /** For trust policies: every identifier the caller is known by, per principal type. */
  readonly principal?: Readonly<{ RAM?: readonly string[]; Service?: readonly string[]; Federated?: readonly string[] }>
  readonly context?: ConditionContext
}

/** @public */
export type Decision = 'Allow' | 'Deny' | 'NotApplicable'

const anyMatch = (patterns: readonly string[], value: string, ignoreCase: boolean) =>
  patterns.some((p) => wildcardMatch(p, value, ignoreCase))

const principalMatches = (s: RamStatement, principal: AuthorizationRequest['principal']) => {
  if (s.Principal === undefined) return true
  if (s.Principal === '*') return true
  if (!principal) return false
  return (['RAM', 'Service', 'Federated'] as const).some((type) => {
    const allowed = s.Principal !== '*' ? s.Principal?.[type] : undefined
    const known = principal[type] ?? []
    return allowed !== undefined && known.some((id) => allowed.some((a) => a === '*' || a === id))
  })
}

const statementApplies = (s: RamStatement, request: AuthorizationRequest): boolean => {
  // Action names are case-insensitive in RAM; resources are not.
  const actionOk = s.Action
    ? anyMatch(s.Action, request.action, true)
    : !anyMatch(s.NotAction ?? [], request.action, true)
  if (!actionOk) return false
  if (request.resource !== undefined) {
    if (s.Resource && !anyMatch(s.Resource, request.resource, false)) return false
    if (s.NotResource && anyMatch(s.NotResource, request.resource, false)) return false
  }
  if (!principalMatches(s, request.principal)) return false
  return conditionsHold(s.Condition, request.context ?? new Map())
}

/**
 * Evaluates policies together: an explicit Deny anywhere wins, then any Allow, else nothing
 * applies (an implicit deny — callers treat NotApplicable as refusal).
 * @example
 * evaluatePolicies([rolePolicy], { action: 'oss:PutObject', resource: 'acs:oss:*:*:b/k' }) === 'Allow'
 * @public
 */
export const evaluatePolicies = (
  policies: readonly RamPolicy[],
  request: AuthorizationRequest,
): Decision => {
  let allowed = false
  for (const policy of policies) {
    for (const statement of policy.Statement) {
      if (!statementApplies(statement, request)) continue
      if (statement.Effect === 'Deny') return 'Deny'
      allowed = true
    }
  }
  return allowed ? 'Allow' : 'NotApplicable'
}

/** Builds a condition context from plain key/value pairs, lowercasing keys. @public */
export const conditionContext = (
  entries: Readonly<Record<string, string | readonly string[] | undefined>>,
): ConditionContext =>
  new Map(
    Object.entries(entries)
      .filter((e): e is [string, string | readonly string[]] => e[1] !== undefined)
      .map(([k, v]) => [k.toLowerCase(), typeof v === 'string' ? [v] : v]),
  )
