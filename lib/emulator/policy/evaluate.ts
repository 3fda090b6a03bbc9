import { conditionsMet, type RequestContext } from './conditions.ts'
import type { PolicyDocument, PolicyStatement, PrincipalType } from './document.ts'
import { actionMatches, resourceMatches } from './wildcard.ts'

/** One request to authorize. @public */
export interface AuthorizationRequest {
  readonly action: string
  /** Absent for trust-policy evaluation, where statements carry no Resource. */
  readonly resource?: string
  /** For trust policies: every identifier the caller is known by, per principal type. */
  readonly principal?: Readonly<Partial<Record<PrincipalType, readonly string[]>>>
  readonly context?: RequestContext
}

/** @public */
export type Decision = 'Allow' | 'Deny' | 'NotApplicable'

const PRINCIPAL_TYPES: readonly PrincipalType[] = ['RAM', 'Service', 'Federated']

const principalMatches = (s: PolicyStatement, caller: AuthorizationRequest['principal']) => {
  if (s.Principal === undefined || s.Principal === '*') return true
  const named = s.Principal
  return PRINCIPAL_TYPES.some((type) =>
    (caller?.[type] ?? []).some((id) => (named[type] ?? []).some((n) => n === '*' || n === id)),
  )
}

const actionApplies = (s: PolicyStatement, action: string) =>
  s.Action !== undefined
    ? s.Action.some((p) => actionMatches(p, action))
    : !(s.NotAction ?? []).some((p) => actionMatches(p, action))

const resourceApplies = (s: PolicyStatement, resource: string | undefined) =>
  resource === undefined ||
  ((s.Resource === undefined || s.Resource.some((p) => resourceMatches(p, resource))) &&
    !(s.NotResource ?? []).some((p) => resourceMatches(p, resource)))

const applies = (s: PolicyStatement, request: AuthorizationRequest) =>
  actionApplies(s, request.action) &&
  resourceApplies(s, request.resource) &&
  principalMatches(s, request.principal) &&
  conditionsMet(s.Condition, request.context ?? new Map())

/**
 * RAM's evaluation of the policies one principal holds: an explicit Deny in any of them wins over
 * every Allow (https://www.alibabacloud.com/help/en/ram/policy-elements), then any Allow; else
 * nothing applies, which callers treat as the implicit deny it is.
 * @example
 * evaluatePolicies([role], { action: 'oss:PutObject', resource: 'acs:oss:*:*:b/k' }) === 'Allow'
 * @public
 */
export const evaluatePolicies = (
  policies: readonly PolicyDocument[],
  request: AuthorizationRequest,
): Decision => {
  const matched = policies.flatMap((p) => p.Statement).filter((s) => applies(s, request))
  if (matched.some((s) => s.Effect === 'Deny')) return 'Deny'
  return matched.length > 0 ? 'Allow' : 'NotApplicable'
}

/**
 * A request context from plain key/value pairs. Keys are lowercased because condition key names
 * are matched without regard to case; absent values are left out, not sent as empty.
 * @public
 */
export const conditionContext = (
  entries: Readonly<Record<string, string | readonly string[] | undefined>>,
): RequestContext =>
  new Map(
    Object.entries(entries)
      .filter((e): e is [string, string | readonly string[]] => e[1] !== undefined)
      .map(([k, v]) => [k.toLowerCase(), typeof v === 'string' ? [v] : v]),
  )
