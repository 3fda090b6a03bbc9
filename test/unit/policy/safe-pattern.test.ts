import { describe, expect, it } from 'vitest'
import type { ConfigError } from '../../../lib/config/config-error.ts'
import { envSecretResolver, loadConfig } from '../../../lib/config/load.ts'
import { unsafePatternReason } from '../../../lib/policy/safe-pattern.ts'

describe('unsafePatternReason', () => {
  it.each([
    [
      '^(a+)+$',
      /group \(a\+\) is repeated by \+ but itself contains a quantifier.*character class/,
    ],
    ['^([a-z]+)*$', /group \(\[a-z\]\+\) is repeated by \* but itself contains a quantifier/],
    ['(a|a)*b', /group \(a\|a\) is repeated by \* but itself contains an alternation/],
    ['(a|aa){30}', /itself contains an alternation/],
    ['^(\\w+\\.)*\\w+$', /group \(\\w\+\\\.\) is repeated/],
    ['^((a|b)c)+$', /itself contains an alternation/],
    ['^(?:a{2})+$', /itself contains a quantifier/],
    ['(?=a)', /lookahead and lookbehind/],
    ['(?!a)b', /lookahead and lookbehind/],
    ['(?<=a)b', /lookahead and lookbehind/],
    ['(?<!a)b', /lookahead and lookbehind/],
    ['(a)\\1', /backreferences/],
    ['(?<x>a)\\k<x>', /backreferences/],
    ['\\w*\\w*\\w*\\w*!', /more than 3 variable-length quantifiers/],
    ['^a?b{1,64}c+d{2,}$', /more than 3 variable-length quantifiers/],
    ['^(eng|ops)-[a-z]+-[0-9]+-[a-z]+$', /counting the alternatives \(\|\) as one more/],
    ['^(a|a)(a|a)(a|a)(a|a)(a|a)(a|a)(a|a)(a|a)$', /more than 128 ways/],
  ])('refuses %s', (pattern, reason) => {
    expect(unsafePatternReason(pattern)).toMatch(reason)
  })

  it.each([
    ['(?i:a)', /unsupported group syntax/],
    ['\\p{L}', /unsupported escape \\p/],
    ['[\\1]', /unsupported escape \\1/],
    ['a{', /does not start a quantifier/],
    ['a{2,1}', /out of order/],
    ['*a', /repeats nothing/],
    ['^*', /repeats nothing/],
    ['a]', /must be escaped/],
    ['(a', /never closed/],
    ['[a', /never closed/],
    ['a)', /unmatched \)/],
    ['a\\', /lone \\/],
  ])('refuses %s, which it does not parse', (pattern, reason) => {
    expect(unsafePatternReason(pattern)).toMatch(reason)
  })

  it.each([
    '^[a-z0-9-]{1,64}$',
    '^[a-z]+@example\\.com$',
    '^team-[a-z]+$',
    '^(eng|ops)-[0-9]{2,4}$',
    '^[A-Za-z0-9][A-Za-z0-9._@-]{0,127}$',
    '^(?<team>[a-z]{2,8})-(?:prod|dev)$',
    '^(ab)+$',
    '^[\\]\\-\\b\\\\]+\\.\\u0041\\x41\\t\\0$',
    '^\\bx*?y??\\B$',
    '^(eng|ops)-[a-z]+-[0-9]+$',
    '[]a|[^]',
  ])('accepts %s', (pattern) => {
    expect(unsafePatternReason(pattern)).toBeUndefined()
    expect(() => new RegExp(pattern)).not.toThrow()
  })
})

describe('patterns at config load', () => {
  const config = (variable: string, parameter: string) => ({
    region: 'cn-hangzhou',
    sts: { endpoint: 'https://sts.cn-hangzhou.aliyuncs.com' },
    callers: {
      jwt: [
        {
          id: 'web',
          issuer: 'https://login.example.com',
          audience: 'credvend',
          jwks: { keys: [] },
        },
      ],
    },
    profiles: {
      reports: {
        kind: 'sts',
        allow: [{ jwt: 'web' }],
        roleArn: 'acs:ram::1234567890123456:role/app',
        sessionPolicy: {
          Version: '1',
          Statement: [
            {
              Effect: 'Allow',
              Action: ['oss:GetObject'],
              Resource: ['acs:oss:*:*:reports/${claims.tenant}/${params.folder}/*'],
            },
          ],
        },
        variables: { 'claims.tenant': { pattern: variable } },
        parameters: { folder: { pattern: parameter } },
        durationSeconds: 900,
      },
    },
  })
  const load = (variable: string, parameter: string) =>
    loadConfig(JSON.stringify(config(variable, parameter)), envSecretResolver({}))

  it('refuses a catastrophic pattern, naming where it is and what to write instead', async () => {
    const problems = await load('^(a+)+$', '^([a-z]+)*$').then(
      () => [],
      (e: ConfigError) => e.problems.map((p) => `${p.path}: ${p.message}`),
    )
    expect(problems).toEqual([
      expect.stringMatching(
        /^profiles\.reports\.variables\.claims\.tenant: the group \(a\+\) is repeated .*such as \[a-z0-9\.\]\+/,
      ),
      expect.stringMatching(/^profiles\.reports\.parameters\.folder: the group \(\[a-z\]\+\)/),
    ])
  })

  it('still reports an invalid pattern as invalid', async () => {
    await expect(load('^(a', '^[a-z]+$')).rejects.toMatchObject({
      problems: [
        {
          path: 'profiles.reports.variables.claims.tenant',
          message: 'not a valid regular expression',
        },
      ],
    })
  })

  it('loads ordinary patterns', async () => {
    const loaded = await load('^(eng|ops)-[0-9]{2,4}$', '^[a-z0-9-]{1,64}$')
    expect(loaded.profiles.has('reports')).toBe(true)
  })
})
