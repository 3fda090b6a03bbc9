import { describe, expect, it } from 'vitest'
import { ConfigError } from '../../../lib/config/config-error.ts'
import { envSecretResolver, loadConfig } from '../../../lib/config/load.ts'
import { patternsIntersect } from '../../../lib/policy/patterns-intersect.ts'

const issuer = (id: string) => ({
  id,
  issuer: `https://${id}.example.com`,
  audience: 'credvend',
  jwksUri: `https://${id}.example.com/jwks.json`,
})

const uploads = (allow: unknown[], prefix = 'users/${caller.sub}/', bucket = 'uploads') => ({
  kind: 'oss-upload',
  allow,
  roleArn: 'acs:ram::1111111111111111:role/uploader',
  bucket,
  region: 'oss-cn-hangzhou',
  prefix,
  actions: ['put', 'read', 'list'],
  ...(prefix.includes('claims.email')
    ? { variables: { 'claims.email': { pattern: '^[a-z0-9.@-]{3,64}$' } } }
    : {}),
})

const config = (profiles: Record<string, unknown>) => ({
  region: 'cn-hangzhou',
  sts: { endpoint: 'https://sts.cn-hangzhou.aliyuncs.com' },
  callers: {
    jwt: [issuer('web'), issuer('partner-idp')],
    apiKeys: [{ id: 'acme', sha256: ['a'.repeat(64)] }],
  },
  profiles,
})

const problemsOf = async (profiles: Record<string, unknown>): Promise<string[]> => {
  try {
    await loadConfig(JSON.stringify(config(profiles)), envSecretResolver({}))
    return []
  } catch (error) {
    // Each as `path: message` (where in the file is checked in config-problems.test.ts).
    return error instanceof ConfigError
      ? error.problems.map((p) => `${p.path}: ${p.message}`)
      : [String(error)]
  }
}

describe('two principals never share a resource', () => {
  it('refuses ${caller.sub} in a profile admitting two JWT issuers, naming the profile and both issuers', async () => {
    const problems = await problemsOf({
      files: uploads([{ jwt: 'web' }, { jwt: 'partner-idp' }]),
    })
    expect(problems.length).toBeGreaterThan(0)
    expect(problems[0]).toMatch(
      /^profiles\.files: admits JWT issuer web and JWT issuer partner-idp/,
    )
    expect(problems[0]).toContain('${caller.id}')
  })

  it('refuses ${caller.sub} shared by a JWT issuer and API keys (a sub equal to a key id)', async () => {
    const problems = await problemsOf({ files: uploads([{ jwt: 'web' }, { apiKey: 'acme' }]) })
    expect(problems.join('\n')).toMatch(/JWT issuer web and API keys/)
  })

  it('refuses a claim (email) across issuers, and across two profiles over the same bucket prefix', async () => {
    expect(
      (
        await problemsOf({
          files: uploads([{ jwt: 'web' }, { jwt: 'partner-idp' }], 'u/${claims.email}/'),
        })
      ).join('\n'),
    ).toMatch(/claims\.email of JWT issuer web/)
    const problems = await problemsOf({
      'web-files': uploads([{ jwt: 'web' }]),
      'partner-files': uploads([{ jwt: 'partner-idp' }]),
    })
    expect(problems.join('\n')).toMatch(
      /profiles\.web-files \(JWT issuer web\) and profiles\.partner-files \(JWT issuer partner-idp\)/,
    )
  })

  it('refuses a sub-keyed prefix that a caller.id-keyed prefix of another profile can meet', async () => {
    // Issuer web's user whose sub is "jwt.partner-idp.alice" would otherwise render
    // users/jwt.partner-idp.alice/, the folder of partner-idp's alice.
    const problems = await problemsOf({
      'web-files': uploads([{ jwt: 'web' }]),
      'partner-files': uploads([{ jwt: 'partner-idp' }], 'users/${caller.id}/'),
    })
    expect(problems.join('\n')).toMatch(/caller\.sub of JWT issuer web \/ caller\.id/)
  })

  it('accepts ${caller.id} across issuers and keys, one issuer with ${caller.sub}, and disjoint resources', async () => {
    expect(
      await problemsOf({
        everyone: uploads(
          [{ jwt: 'web' }, { jwt: 'partner-idp' }, { apiKey: 'acme' }],
          'u/${caller.id}/',
        ),
        'web-files': uploads([{ jwt: 'web' }]),
        'partner-files': uploads(
          [{ jwt: 'partner-idp' }],
          'users/${caller.sub}/',
          'partner-bucket',
        ),
        'partner-team': uploads(
          [{ jwt: 'partner-idp' }],
          'team/${claims.email}/',
          'partner-bucket',
        ),
      }),
    ).toEqual([])
  })
})

describe('patternsIntersect', () => {
  it.each([
    ['a/${caller.sub}/*', 'a/${caller.id}/*', true],
    ['a/${caller.sub}/*', 'b/${caller.id}/*', false],
    ['acs:oss:*:*:b/users/${v}/*', 'acs:oss:*:*:b/*', true],
    // RAM's `*` crosses `:`: without a bound, b2's pattern reaches a b1 key holding ":b2/u/w/".
    ['acs:oss:*:*:b1/u/${v}/*', 'acs:oss:*:*:b2/u/${v}/*', true],
    ['acs:oss:*:*:b1/u/${v}/*', 'acs:oss:*:*:b2/u/${v}/*', false, 4],
    // A value never holds a `/`, so one value cannot span two segments.
    ['x/${v}', 'x/a/b', false],
    ['x/${v}', 'x/ab', true],
    ['x/${v}', 'x/', false],
    ['x/?', 'x/${v}', true],
    ['*', 'anything/${v}', true],
  ] as Array<[string, string, boolean, number?]>)(
    '%s ∩ %s → %s (colons ≤ %s)',
    (a, b, expected, colons) => {
      expect(patternsIntersect(a, b, colons)).toBe(expected)
      expect(patternsIntersect(b, a, colons)).toBe(expected)
    },
  )
})
