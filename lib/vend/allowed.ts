import type { Caller } from '../auth/caller.ts'
import type { AllowRule } from '../config/schema.ts'

const claimMatches = (actual: unknown, expected: string) =>
  Array.isArray(actual) ? actual.includes(expected) : actual === expected

/**
 * One segment against a glob whose `*` matches any run: the greedy two-pointer wildcard match. On
 * a mismatch it only moves back to just after the last `*`, so its work stays within text × glob
 * however the caller's `sub` is built, whereas a backtracking regex takes time polynomial in the
 * text with the number of stars as the degree.
 */
const segmentMatches = (text: string, glob: string) => {
  let t = 0
  let g = 0
  // Where the last `*` was, and where in the text it would resume absorbing characters.
  let star = -1
  let resume = 0
  while (t < text.length) {
    if (glob[g] === '*') {
      star = g++
      resume = t
    } else if (g < glob.length && glob[g] === text[t]) {
      g++
      t++
    } else if (star >= 0) {
      g = star + 1
      t = ++resume
    } else return false
  }
  while (glob[g] === '*') g++
  return g === glob.length
}

/** `*` matches within one `:`-separated segment, so `…:billing:*` never reaches `…:billing:x:y`. */
const subMatches = (actual: string, pattern: string) => {
  if (!pattern.includes('*')) return actual === pattern
  const globs = pattern.split(':')
  const segments = actual.split(':')
  return (
    globs.length === segments.length && globs.every((glob, i) => segmentMatches(segments[i]!, glob))
  )
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
