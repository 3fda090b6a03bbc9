import { describe, expect, it } from 'vitest'
import type { Caller } from '../../../lib/auth/caller.ts'
import type { AllowRule } from '../../../lib/config/schema.ts'
import { isAllowed } from '../../../lib/vend/allowed.ts'

const jwtCaller = (sub: string, authority = 'ack'): Caller => ({
  id: `jwt.${authority}.${sub}`,
  kind: 'jwt',
  authority,
  sub,
  claims: {},
})

const subRule = (sub: string): AllowRule[] => [{ jwt: 'ack', sub }]

describe('isAllowed: sub globs', () => {
  it.each([
    ['system:serviceaccount:billing:*', 'system:serviceaccount:billing:worker', true],
    ['system:serviceaccount:billing:*', 'system:serviceaccount:billing:', true],
    ['system:serviceaccount:billing:*', 'system:serviceaccount:billing:x:y', false],
    ['system:serviceaccount:billing:*', 'system:serviceaccount:billing', false],
    ['system:serviceaccount:billing:*', 'system:serviceaccount:payroll:worker', false],
    ['system:serviceaccount:*:worker', 'system:serviceaccount:billing:worker', true],
    ['system:serviceaccount:*:worker', 'system:serviceaccount:a:b:worker', false],
    ['repo:acme/*:ref:refs/heads/main', 'repo:acme/api:ref:refs/heads/main', true],
    ['repo:acme/*:ref:refs/heads/main', 'repo:acme/api:ref:refs/heads/dev', false],
    ['ci-*-deploy', 'ci-web-deploy', true],
    ['ci-*-deploy', 'ci--deploy', true],
    ['ci-*-deploy', 'ci-web-deploy-2', false],
    ['ci-*-deploy', 'xci-web-deploy', false],
    ['a*b*c', 'abbbcbc', true],
    ['a*b*c', 'abbbcb', false],
    ['*.example', 'x.example', true],
    ['*.example', 'xyexample', false],
    ['(a)*', '(a)anything', true],
    ['*', '*', true],
    ['exact:sub', 'exact:sub', true],
    ['exact:sub', 'exact:sub2', false],
    ['a.c', 'abc', false],
  ])('%s against %s is %s', (pattern, sub, expected) => {
    expect(isAllowed(jwtCaller(sub), subRule(pattern))).toBe(expected)
  })

  it('keeps the issuer and claims checks around the glob', () => {
    const rule: AllowRule[] = [{ jwt: 'ack', sub: 'ns:*', claims: { team: 'ops' } }]
    expect(isAllowed({ ...jwtCaller('ns:a'), claims: { team: ['ops', 'dev'] } }, rule)).toBe(true)
    expect(isAllowed({ ...jwtCaller('ns:a'), claims: { team: 'dev' } }, rule)).toBe(false)
    expect(isAllowed({ ...jwtCaller('ns:a', 'web'), claims: { team: 'ops' } }, rule)).toBe(false)
  })

  it('answers a hostile sub against many stars without backtracking', () => {
    // With a backtracking regex this match is polynomial in the sub's length to the number of stars.
    expect(isAllowed(jwtCaller('a'.repeat(20_000)), subRule('*a*a*a*a*a*a*a*a*b'))).toBe(false)
    expect(isAllowed(jwtCaller(`${'a'.repeat(20_000)}b`), subRule('*a*a*a*a*a*a*a*a*b'))).toBe(true)
  })
})
