import type { Caller } from '../auth/caller.ts'
import type { AllowRule } from '../config/schema.ts'

const claimMatches = (actual: unknown, expected: string) =>
  Array.isArray(actual) ? actual.includes(expected) : actual === expected

const escape = (text: string) => text.replace(/[.+?^${}()|[\]\\]/g, '\\$&')
const patterns = new Map<string, RegExp>()

/** `*` matches within one `:`-separated segment, so `…:billing:*` never reaches `…:billing:x:y`. */
const subMatches = (actual: string, pattern: string) => {
  if (!pattern.includes('*')) return actual === pattern
  let re = patterns.get(pattern)
  if (!re)
    patterns.set(pattern, (re = new RegExp(`^${pattern.split('*').map(escape).join('[^:]*')}$`)))
  return re.test(actual)
}

/** Deny by default: a caller may use a profile only if one of its rules names it. @internal */
export const isAllowed = (caller: Caller, rules: readonly AllowRule[]): boolean =>
  rules.some((rule) => {
    if ('apiKey' in rule) return caller.kind === 'apiKey' && caller.authority === rule.apiKey
    if ('alibaba' in rule) {
      // Parsed fields, compared exactly: never a pattern over the ARN, whose session part the caller chose.
      if (caller.kind !== 'alibaba' || caller.claims.account !== rule.alibaba.account) return false
      return rule.alibaba.roleId !== undefined
        ? caller.claims.roleId === rule.alibaba.roleId
        : caller.claims.role === rule.alibaba.role!.toLowerCase()
    }
    if (caller.kind !== 'jwt' || caller.authority !== rule.jwt) return false
    if (rule.sub !== undefined && !subMatches(caller.sub, rule.sub)) return false
    return Object.entries(rule.claims ?? {}).every(([k, v]) => claimMatches(caller.claims[k], v))
  })
