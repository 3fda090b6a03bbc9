import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { wildcardMatch } from '../../../lib/policy/wildcard.ts'

describe('wildcardMatch', () => {
  it.each([
    ['*', '', true],
    ['*', 'anything/at/all', true],
    ['acs:oss:*:*:bucket/users/alice/*', 'acs:oss:*:*:bucket/users/alice/a.png', true],
    ['acs:oss:*:*:bucket/users/alice/*', 'acs:oss:*:*:bucket/users/alice2/a.png', false],
    ['a?c', 'abc', true],
    ['a?c', 'ac', false],
    ['a*b*c', 'aXXbYYc', true],
    ['a*b*c', 'aXXbYY', false],
    ['exact', 'exact', true],
    ['exact', 'Exact', false],
  ])('%s ~ %s → %s', (pattern, value, expected) => {
    expect(wildcardMatch(pattern, value)).toBe(expected)
  })

  it('ignores case only when asked (actions)', () => {
    expect(wildcardMatch('oss:Put*', 'OSS:PUTOBJECT', true)).toBe(true)
    expect(wildcardMatch('oss:Put*', 'OSS:PUTOBJECT')).toBe(false)
  })

  it('agrees with an anchored regex on random patterns', () => {
    const chars = fc.constantFrom('a', 'b', '/', '*', '?')
    fc.assert(
      fc.property(
        fc.array(chars, { maxLength: 8 }),
        fc.array(fc.constantFrom('a', 'b', '/'), { maxLength: 10 }),
        (p, v) => {
          const pattern = p.join('')
          const regex = new RegExp(
            `^${pattern.replace(/[/]/g, '\\/').replace(/\*/g, '.*').replace(/\?/g, '.')}$`,
            's',
          )
          expect(wildcardMatch(pattern, v.join(''))).toBe(regex.test(v.join('')))
        },
      ),
      { numRuns: 500 },
    )
  })

  it('stays fast on a pathological pattern', () => {
    // A naive backtracking regex for this takes exponential time.
    expect(wildcardMatch(`${'*a'.repeat(30)}b`, 'a'.repeat(5000))).toBe(false)
  })
})
