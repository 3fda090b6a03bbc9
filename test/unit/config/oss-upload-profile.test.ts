import { describe, expect, it } from 'vitest'
import type { ConfigError } from '../../../lib/config/config-error.ts'
import { envSecretResolver, loadConfig } from '../../../lib/config/load.ts'
import { ossSessionPolicyTemplate } from '../../../lib/policy/oss-presets.ts'
import { renderTemplate } from '../../../lib/policy/template.ts'
import { evaluatePolicies } from '../../../lib/emulator/policy/evaluate.ts'
import { parsePolicy } from '../../../lib/policy/schema.ts'
import { conditionContext } from '../../../lib/emulator/policy/evaluate.ts'

const upload = {
  kind: 'oss-upload',
  allow: [{ jwt: 'web' }],
  roleArn: 'acs:ram::1234567890123456:role/credvend-oss-upload',
  bucket: 'example-avatars',
  region: 'oss-cn-hangzhou',
  prefix: 'users/${caller.id}/',
  actions: ['put', 'multipart', 'list'],
  corsOrigins: ['https://app.example.com'],
  durationSeconds: 900,
}

const config = (profile: Record<string, unknown>) =>
  JSON.stringify({
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
    profiles: { avatars: profile },
  })

const problems = async (profile: Record<string, unknown>): Promise<string[]> => {
  try {
    await loadConfig(config(profile), envSecretResolver({}))
  } catch (error) {
    // Each as `path: message` (where in the file is checked in config-problems.test.ts).
    return (error as ConfigError).problems.map((p) => `${p.path}: ${p.message}`)
  }
  return []
}

describe('kind: "oss-upload" profiles', () => {
  it('loads the upload guide example (infra/UPLOADS.md) and compiles a policy template from its presets', async () => {
    const loaded = await loadConfig(config(upload), envSecretResolver({}))
    const compiled = loaded.profiles.get('avatars')!
    expect(compiled.profile.kind).toBe('oss-upload')
    expect([...compiled.template!.used]).toEqual(['caller.id'])
  })

  it.each([
    [
      'a prefix without a caller variable',
      { prefix: 'uploads/' },
      /prefix: must contain \$\{caller.id\}/,
    ],
    ['a prefix not ending in /', { prefix: 'users/${caller.id}' }, /prefix: must end with \//],
    ['a prefix starting with /', { prefix: '/users/${caller.id}/' }, /prefix: must not start with/],
    ['a wildcard in the prefix', { prefix: 'users/*/${caller.id}/' }, /prefix: no wildcards/],
    [
      'a variable glued to text',
      { prefix: 'users/u-${caller.id}/' },
      /prefix: .*must stand between delimiters/,
    ],
    [
      'an unknown variable',
      { prefix: 'users/${caller.id}/${claims.team}/' },
      /prefix: unknown variable \$\{claims.team\}/,
    ],
    [
      'a parameter before the caller',
      { prefix: '${params.folder}/${caller.id}/', parameters: { folder: {} } },
      /prefix: .*may only narrow/,
    ],
    ['an unknown preset', { actions: ['put', 'admin'] }, /actions\[1\]/],
    ['a repeated preset', { actions: ['put', 'put'] }, /each preset once/],
    [
      'an origin with a path',
      { corsOrigins: ['https://app.example.com/'] },
      /corsOrigins\[0\]: an exact origin/,
    ],
    ['a wildcard origin', { corsOrigins: ['https://*.example.com'] }, /corsOrigins\[0\]/],
    [
      'a session policy of its own',
      { sessionPolicy: { Version: '1', Statement: [] } },
      /avatars\.sessionPolicy: unrecognized key/,
    ],
    [
      'http to a public endpoint',
      { endpoint: 'http://oss-cn-hangzhou.aliyuncs.com' },
      /endpoint: https/,
    ],
    [
      'an inverted form size range',
      { form: { maxSizeBytes: 10, minSizeBytes: 11 } },
      /form\.minSizeBytes: minSizeBytes exceeds maxSizeBytes/,
    ],
    ['a region in STS form', { region: 'cn-hangzhou' }, /region: an OSS region/],
    [
      'a prefix whose generated policy cannot fit 2,047 bytes',
      { prefix: `${'very-long-folder-name/'.repeat(8)}\${caller.id}/` },
      /prefix: the generated policy can reach \d+ bytes/,
    ],
  ])('refuses %s', async (_, change, expected) => {
    const found = await problems({ ...upload, ...change })
    expect(found.join('\n')).toMatch(expected)
  })
})

describe('the generated session policy', () => {
  const render = async (actions: string[], id = 'jwt.web.alice') => {
    const loaded = await loadConfig(config({ ...upload, actions }), envSecretResolver({}))
    const rendered = await renderTemplate(loaded.profiles.get('avatars')!.template!, {
      'caller.id': id,
    })
    const parsed = parsePolicy(rendered.text, 'identity')
    if (!parsed.ok) throw new Error(parsed.problems.join('; '))
    return { text: rendered.text, policy: parsed.policy }
  }
  const allows = (
    policy: Parameters<typeof evaluatePolicies>[0][number],
    action: string,
    key?: string,
    prefix?: string,
  ) =>
    evaluatePolicies([policy], {
      action,
      resource: `acs:oss:cn-hangzhou:1234567890123456:example-avatars${key === undefined ? '' : `/${key}`}`,
      context: conditionContext({ 'oss:Prefix': prefix }),
    })

  it("grants each preset its RAM actions under the caller's prefix only", async () => {
    const { policy } = await render(['put', 'multipart', 'list', 'read', 'delete'])
    for (const action of [
      'oss:PutObject',
      'oss:ListParts',
      'oss:AbortMultipartUpload',
      'oss:GetObject',
      'oss:DeleteObject',
    ]) {
      expect(allows(policy, action, 'users/jwt.web.alice/a.png')).toBe('Allow')
      expect(allows(policy, action, 'users/jwt.web.bob/a.png')).toBe('NotApplicable')
      expect(allows(policy, action, 'users/jwt.web.alice2/a.png')).toBe('NotApplicable')
    }
    expect(allows(policy, 'oss:ListObjects', undefined, 'users/jwt.web.alice/')).toBe('Allow')
    expect(allows(policy, 'oss:ListObjects', undefined, 'users/jwt.web.alice/sub/')).toBe('Allow')
    expect(allows(policy, 'oss:ListObjects', undefined, 'users/jwt.web.bob/')).toBe('NotApplicable')
    expect(allows(policy, 'oss:ListObjects', undefined, '')).toBe('NotApplicable')
    expect(allows(policy, 'oss:ListObjects', undefined, 'users/')).toBe('NotApplicable')
  })

  it('only grants what the presets name', async () => {
    const { policy } = await render(['put'])
    expect(allows(policy, 'oss:PutObject', 'users/jwt.web.alice/a')).toBe('Allow')
    for (const action of [
      'oss:GetObject',
      'oss:DeleteObject',
      'oss:ListParts',
      'oss:AbortMultipartUpload',
      'oss:PutObjectAcl',
    ]) {
      expect(allows(policy, action, 'users/jwt.web.alice/a')).toBe('NotApplicable')
    }
    expect(allows(policy, 'oss:ListObjects', undefined, 'users/jwt.web.alice/')).toBe(
      'NotApplicable',
    )
  })

  it('denies `..` segments, % and \\ in keys even under the prefix', async () => {
    const { policy } = await render(['put', 'read'])
    for (const key of [
      'users/jwt.web.alice/../jwt.web.bob/x',
      'users/jwt.web.alice/..',
      'users/jwt.web.alice/a/../../b',
      'users/jwt.web.alice/%2e%2e/x',
      'users/jwt.web.alice/a\\..\\b',
    ]) {
      expect(allows(policy, 'oss:PutObject', key), key).toBe('Deny')
    }
    for (const key of [
      'users/jwt.web.alice/a..b.txt',
      'users/jwt.web.alice/.hidden',
      'users/jwt.web.alice/a/b/c.txt',
    ]) {
      expect(allows(policy, 'oss:PutObject', key), key).toBe('Allow')
    }
  })

  it("stays under STS's 2,047 bytes for the longest caller id a pattern admits", async () => {
    const { text } = await render(
      ['put', 'multipart', 'list', 'read', 'delete'],
      `a${'b'.repeat(127)}`,
    )
    expect(new TextEncoder().encode(text).length).toBeLessThanOrEqual(2047)
  })

  it('is a pure function of bucket, prefix and presets', () => {
    const a = ossSessionPolicyTemplate({
      bucket: 'b',
      prefix: 'u/${caller.id}/',
      actions: ['put', 'list'],
    })
    expect(a).toEqual(
      ossSessionPolicyTemplate({
        bucket: 'b',
        prefix: 'u/${caller.id}/',
        actions: ['put', 'list'],
      }),
    )
    expect(JSON.stringify(a)).not.toContain('oss:GetObject')
  })
})
