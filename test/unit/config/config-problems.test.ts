import { describe, expect, it } from 'vitest'
import { ConfigError, formatProblem, type ConfigProblem } from '../../../lib/config/config-error.ts'
import { envSecretResolver, loadConfig } from '../../../lib/config/load.ts'
import { isVendError } from '../../../lib/errors.ts'

const refused = async (text: string): Promise<ConfigError> => {
  const error: unknown = await loadConfig(text, envSecretResolver({ K: 'k'.repeat(64) })).then(
    () => undefined,
    (e: unknown) => e,
  )
  if (!(error instanceof ConfigError))
    throw new Error(`expected a ConfigError, got ${String(error)}`)
  return error
}

/**
 * Line and column (1-based) of `token` on the one line of `text` that contains `marker`: worked
 * out from the lines a person sees, independently of how the loader places problems.
 */
const seen = (text: string, marker: string, token = marker) => {
  const lines = text.split('\n')
  const found = lines.flatMap((l, i) => (l.includes(marker) ? [i] : []))
  if (found.length !== 1) throw new Error(`${marker} is on ${found.length} lines`)
  const column = lines[found[0]!]!.indexOf(token) + 1
  if (column === 0) throw new Error(`${token} is not on the line of ${marker}`)
  return { line: found[0]! + 1, column }
}

/** A file as a person writes it; each line is unique, so tests can point at one. */
const FILE = `{
  "region": "cn-hangzhou",
  "sts": { "endpoint": "https://sts.cn-hangzhou.aliyuncs.com" },
  "callers": {
    "apiKeys": [ { "id": "acme", "sha256": [ { "env": "K" } ] } ]
  },
  "profiles": {
    "reports": {
      "kind": "sts",
      "allow": [ { "apiKey": "acme" }, { "jwt": "nobody" } ],
      "roleArn": "acs:ram::2222222222222222:role/reports",
      "sessionName": "pseudonymous",
      "durationSeconds": 7200,
      "via": [ { "roleArn": "acs:ram::1111111111111111:role/hub", "durationSeconds": 3600 } ]
    },
    "keys": {
      "kind": "access-key",
      "allow": [ { "apiKey": "acme" } ],
      "secretName": "acme-ak"
    }
  }
}
`

describe('config problems', () => {
  it('reports each cross-field rule at the field it is about, with the line and column of its value', async () => {
    const error = await refused(FILE)
    expect(error.problems).toEqual([
      {
        path: 'profiles.reports.durationSeconds',
        ...seen(FILE, '"durationSeconds": 7200', '7200'),
        message: 'above 3600 s needs allowAboveOneHour: true (role chaining limit unconfirmed)',
      },
      {
        path: 'profiles.reports.via[0].durationSeconds',
        ...seen(FILE, 'role/hub', '3600'),
        message: "a hub must last at least the profile's longest vend (7200 s)",
      },
      {
        path: 'profiles.reports.allow[1]',
        ...seen(FILE, '"jwt": "nobody"', '{ "jwt"'),
        message: 'names a caller that is not configured',
      },
      {
        path: 'profiles.reports.sessionName',
        ...seen(FILE, '"sessionName"', '"pseudonymous"'),
        message: 'pseudonymous session names need sessionNameKey',
      },
      {
        path: 'profiles.keys.kind',
        ...seen(FILE, '"access-key"', '"access-key"'),
        message: 'access-key profiles need the kms section (its endpoint)',
      },
    ])
    // The same, literally: line 13 is `      "durationSeconds": 7200,`.
    expect(error.problems[0]).toMatchObject({ line: 13, column: 26 })
  })

  it('reports cross-field rules while other parts of the file are broken', async () => {
    const text = FILE.replace('"cn-hangzhou"', '5').replace(
      '"secretName": "acme-ak"',
      '"secretName": "acme-ak", "typo": true',
    )
    const paths = (await refused(text)).problems.map((p) => p.path)
    expect(paths).toEqual([
      'region',
      'profiles.reports.durationSeconds',
      'profiles.reports.via[0].durationSeconds',
      'profiles.keys.typo',
      'profiles.reports.allow[1]',
      'profiles.reports.sessionName',
      'profiles.keys.kind',
    ])
  })

  it('places a missing field at the object it belongs in, and an unknown key at its value', async () => {
    const text = FILE.replace(
      '      "roleArn": "acs:ram::2222222222222222:role/reports",\n',
      '      "rolearn": "acs:ram::2222222222222222:role/reports",\n',
    )
    const { problems } = await refused(text)
    expect(problems.slice(0, 2)).toEqual([
      {
        path: 'profiles.reports.roleArn',
        ...seen(text, '"reports": {', '{'),
        message: 'Invalid input: expected string, received undefined',
      },
      {
        path: 'profiles.reports.rolearn',
        ...seen(text, '"rolearn"', '"acs:'),
        message: 'unrecognized key',
      },
    ])
  })

  it('reports JSON that is not JSON at its line and column, with what was expected there', async () => {
    const text = FILE.replace(
      '"sts": { "endpoint": "https://sts.cn-hangzhou.aliyuncs.com" },',
      '"sts": { "endpoint": "https://sts.cn-hangzhou.aliyuncs.com" }',
    )
    const error = await refused(text)
    expect(error.problems).toEqual([
      {
        path: '(root)',
        ...seen(text, '"callers": {', '"callers"'),
        message: "not valid JSON: expected ',' or '}'",
      },
    ])
    expect(error.message).toBe(
      "invalid configuration:\n  (root) (line 4, column 3): not valid JSON: expected ',' or '}'",
    )
    const inner = await refused(FILE.replace('"kind": "sts",', '"kind": "sts"'))
    expect(inner.problems).toEqual([
      {
        path: 'profiles.reports',
        ...seen(FILE, '"allow": [ { "apiKey": "acme" }, {', '"allow"'),
        message: "not valid JSON: expected ',' or '}'",
      },
    ])
  })

  it('reports structural and template problems in one run, checking each profile valid by itself', async () => {
    const text = `{
  "region": "Hangzhou",
  "sts": { "endpoint": "https://sts.cn-hangzhou.aliyuncs.com" },
  "callers": { "apiKeys": [ { "id": "acme", "sha256": [ { "env": "K" } ] } ] },
  "profiles": {
    "mine": {
      "kind": "sts",
      "allow": [ { "apiKey": "acme" } ],
      "roleArn": "acs:ram::2222222222222222:role/mine",
      "variables": { "claims.team": { "pattern": "^(a+)+$" } },
      "sessionPolicy": {
        "Version": "1",
        "Statement": [
          { "Effect": "Allow", "Action": [ "oss:\${caller.id}" ], "Resource": [ "*" ] },
          { "Effect": "Allow", "Action": [ "oss:GetObject" ], "Resource": [ "acs:oss:*:*:b/x", "acs:oss:*:*:b/\${caller.name}/*" ] },
          { "Effect": "Maybe", "Action": [ "oss:GetObject" ], "Resource": [ "*" ] }
        ]
      }
    },
    "uploads": {
      "kind": "oss-upload",
      "allow": [ { "apiKey": "acme" } ],
      "roleArn": "acs:ram::2222222222222222:role/uploads",
      "bucket": "uploads-bucket",
      "region": "oss-cn-hangzhou",
      "prefix": "u/\${caller.id}/\${params.folder}/",
      "actions": [ "put" ]
    },
    "broken": {
      "kind": "sts",
      "allow": "everyone",
      "roleArn": "acs:ram::2222222222222222:role/broken",
      "sessionPolicy": { "Version": "1", "Statement": [ { "Effect": "Allow", "Action": [ "\${caller.id}" ], "Resource": [ "*" ] } ] }
    }
  }
}
`
    const { problems } = await refused(text)
    const at = (marker: string, token: string) => seen(text, marker, token)
    expect(problems).toEqual([
      {
        path: 'region',
        ...at('"Hangzhou"', '"Hangzhou"'),
        message: 'Invalid string: must match pattern /^[a-z]{2}-[a-z0-9-]+$/',
      },
      {
        path: 'profiles.broken.allow',
        ...at('"everyone"', '"everyone"'),
        message: 'Invalid input: expected array, received string',
      },
      {
        path: 'profiles.mine.variables.claims.team',
        ...at('"claims.team"', '{ "pattern"'),
        message: expect.stringMatching(/can backtrack exponentially/),
      },
      {
        path: 'profiles.mine.sessionPolicy.Statement[2].Effect',
        ...at('"Maybe"', '"Maybe"'),
        message: 'Invalid option: expected one of "Allow"|"Deny"',
      },
      {
        path: 'profiles.mine.sessionPolicy.Statement[0].Action[0]',
        ...at('"oss:${caller.id}"', '"oss:${caller.id}"'),
        message: 'variables may appear only in Resource and Condition values (found ${caller.id})',
      },
      {
        path: 'profiles.mine.sessionPolicy.Statement[1].Resource[1]',
        ...at('${caller.name}', '"acs:oss:*:*:b/${caller.name}/*"'),
        message: 'unknown variable ${caller.name}',
      },
      {
        path: 'profiles.uploads.prefix',
        ...at('"prefix"', '"u/'),
        message: 'unknown variable ${params.folder}',
      },
    ])
  })

  it('never echoes a value: not a pasted secret, a URL password, nor the text around bad JSON', async () => {
    const secret = 'Qx9Zr7Kp2Vw4NyLm8Tj'
    // Any four characters of it in a row would be a piece of it (the parser's own message quotes
    // the text around a JSON error, cut short).
    const pieces = new RegExp(
      [...secret]
        .slice(0, -3)
        .map((_, i) => secret.slice(i, i + 4))
        .join('|') + '|admin',
    )
    const texts = [
      FILE.replace('{ "env": "K" }', `"${secret}"`),
      FILE.replace(
        '"region": "cn-hangzhou",',
        `"region": "cn-hangzhou", "sessionNameKey": "${secret}",`,
      ),
      FILE.replace(
        '"region": "cn-hangzhou",',
        `"region": "cn-hangzhou", "apiSecret": "${secret}",`,
      ),
      FILE.replace(
        'https://sts.cn-hangzhou.aliyuncs.com',
        `https://admin:${secret}@sts.cn-hangzhou.aliyuncs.com`,
      ),
      FILE.replace('"secretName": "acme-ak"', `"secretName": ${secret}`),
      FILE.replace('"secretName": "acme-ak"', `"secretName": "${secret}\\x"`),
      FILE.replace('"secretName": "acme-ak"', `"secretName": "${secret}" "x"`),
    ]
    for (const text of texts) {
      const error = await refused(text)
      expect(error.problems.length).toBeGreaterThan(0)
      expect(`${error.message}\n${JSON.stringify(error.problems)}`).not.toMatch(pieces)
    }
  })

  it('is a VendError with ERR_CONFIG_INVALID whose message lists each problem on its own line', async () => {
    const error = await refused(FILE)
    expect(isVendError(error)).toBe(true)
    expect(error.code).toBe('ERR_CONFIG_INVALID')
    const lines = error.message.split('\n')
    expect(lines[0]).toBe('invalid configuration:')
    expect(lines.slice(1)).toEqual(error.problems.map((p) => `  ${formatProblem(p)}`))
    expect(lines[1]).toBe(
      '  profiles.reports.durationSeconds (line 13, column 26): above 3600 s needs allowAboveOneHour: true (role chaining limit unconfirmed)',
    )
    const problem: ConfigProblem = { path: 'a.b[0]', line: 2, column: 7, message: 'x' }
    expect(formatProblem(problem)).toBe('a.b[0] (line 2, column 7): x')
  })

  it('refuses priority shares for a profile that is missing or makes no STS call, and shares adding up past 0.8', async () => {
    const text = `{
  "region": "cn-hangzhou",
  "sts": {
    "endpoint": "https://sts.cn-hangzhou.aliyuncs.com",
    "lanes": { "priority": { "svc": 0.5, "nosuch": 0.1, "keys": 0.1, "batch": 0.2 } }
  },
  "callers": { "apiKeys": [ { "id": "acme", "sha256": [ { "env": "K" } ] } ] },
  "kms": { "endpoint": "https://kms.cn-hangzhou.aliyuncs.com" },
  "profiles": {
    "svc": { "kind": "sts", "allow": [ { "apiKey": "acme" } ], "roleArn": "acs:ram::2222222222222222:role/svc" },
    "batch": { "kind": "sts", "allow": [ { "apiKey": "acme" } ], "roleArn": "acs:ram::2222222222222222:role/batch" },
    "keys": { "kind": "access-key", "allow": [ { "apiKey": "acme" } ], "secretName": "acme-ak" }
  }
}
`
    const { problems } = await refused(text)
    const at = (token: string) => seen(text, '"priority"', token)
    expect(problems).toEqual([
      {
        path: 'sts.lanes.priority.nosuch',
        ...at('0.1'),
        message: 'names a profile that is not configured',
      },
      {
        path: 'sts.lanes.priority.keys',
        ...seen(text, '"priority"', '0.1, "batch"'),
        message: 'an access-key profile makes no STS calls: it needs no share',
      },
      {
        path: 'sts.lanes.priority.batch',
        ...at('0.2'),
        message:
          "the shares add up to more than 0.8: the rest of the rate must stay for every other lane, credvend's own calls included",
      },
    ])
    // One share above 0.8 is refused by itself; shares adding up to exactly 0.8 load.
    const alone = await refused(
      text.replace('"svc": 0.5, "nosuch": 0.1, "keys": 0.1, "batch": 0.2', '"svc": 0.9'),
    )
    expect(alone.problems.map((p) => [p.path, p.message])).toEqual([
      ['sts.lanes.priority.svc', 'Too big: expected number to be <=0.8'],
    ])
    const loaded = await loadConfig(
      text.replace(
        '"svc": 0.5, "nosuch": 0.1, "keys": 0.1, "batch": 0.2',
        '"svc": 0.6, "batch": 0.2',
      ),
      envSecretResolver({ K: 'a'.repeat(64) }),
    )
    expect(loaded.config.sts.lanes).toEqual({
      maxShare: 0.5,
      loginShare: 0.1,
      priority: { svc: 0.6, batch: 0.2 },
    })
  })
})
