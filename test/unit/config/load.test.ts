import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import type { ConfigError } from '../../../lib/config/config-error.ts'
import { envSecretResolver, loadConfig } from '../../../lib/config/load.ts'

const valid = {
  region: 'cn-hangzhou',
  sts: { endpoint: 'https://sts.cn-hangzhou.aliyuncs.com' },
  callers: {
    jwt: [
      {
        id: 'web',
        issuer: 'https://login.example.com',
        audience: 'credvend',
        jwksUri: 'https://login.example.com/jwks.json',
      },
    ],
    apiKeys: [{ id: 'acme', sha256: [{ env: 'ACME_SHA256' }], expires: '2027-06-01T00:00:00Z' }],
  },
  profiles: {
    'acme-reports': {
      kind: 'sts',
      allow: [{ apiKey: 'acme' }],
      roleArn: 'acs:ram::2222222222222222:role/credvend-partner',
      externalId: { env: 'ACME_EXTERNAL_ID' },
      sessionPolicy: {
        Version: '1',
        Statement: [
          {
            Effect: 'Allow',
            Action: ['oss:GetObject'],
            Resource: ['acs:oss:*:*:acme-reports/out/*'],
          },
        ],
      },
      durationSeconds: { default: 3600, max: 3600 },
    },
  },
}
const env = { ACME_SHA256: 'a'.repeat(64), ACME_EXTERNAL_ID: 'ext-7f3a9c2e1b' }

/** Each problem as `path: message`; where in the file is checked in config-problems.test.ts. */
const problems = async (config: unknown, e: Record<string, string> = env): Promise<string[]> => {
  try {
    await loadConfig(
      typeof config === 'string' ? config : JSON.stringify(config),
      envSecretResolver(e),
    )
  } catch (error) {
    return (error as ConfigError).problems.map((p) => `${p.path}: ${p.message}`)
  }
  throw new Error('expected the config to be refused')
}

describe('loadConfig', () => {
  it('loads a valid config, resolving env references, with a stable generation id', async () => {
    const a = await loadConfig(JSON.stringify(valid), envSecretResolver(env))
    const b = await loadConfig(JSON.stringify(valid), envSecretResolver(env))
    expect(a.generation).toMatch(/^[0-9a-f]{16}$/)
    expect(a.generation).toBe(b.generation)
    expect(a.profiles.get('acme-reports')!.externalId).toBe('ext-7f3a9c2e1b')
    expect(a.apiKeys.get('acme')!.digests).toEqual(['a'.repeat(64)])
  })

  it('gives a new generation when a referenced secret changes, even if the file does not', async () => {
    const a = await loadConfig(JSON.stringify(valid), envSecretResolver(env))
    const b = await loadConfig(
      JSON.stringify(valid),
      envSecretResolver({ ...env, ACME_EXTERNAL_ID: 'ext-rotated-1' }),
    )
    expect(a.generation).not.toBe(b.generation)
  })

  it('reports one problem per field, path first, with what was expected and not what was found', async () => {
    const bad = structuredClone(valid) as any
    bad.sts.endpoint = 'https://evil.example.com'
    bad.profiles['acme-reports'].roleArn = 'arn:aws:iam::1:role/x'
    bad.profiles['acme-reports'].allow = [{ apiKey: 'nobody' }]
    bad.profiles['acme-reports'].typo = true
    const lines = await problems(bad)
    expect(lines).toEqual([
      'sts.endpoint: https://sts[-vpc].<region>.aliyuncs.com, or a loopback emulator',
      'profiles.acme-reports.roleArn: a RAM role ARN',
      'profiles.acme-reports.typo: unrecognized key',
      'profiles.acme-reports.allow[0]: names a caller that is not configured',
    ])
    expect(lines.join('\n')).not.toMatch(/evil|arn:aws/)
  })

  it('never echoes a value where a secret reference belongs', async () => {
    const bad = structuredClone(valid) as any
    bad.profiles['acme-reports'].externalId = 'pasted-real-external-id'
    const lines = await problems(bad)
    expect(lines.join('\n')).not.toContain('pasted-real-external-id')
    expect(lines.join('\n')).toMatch(/externalId/)
  })

  it('reports unset environment variables and unsupported kmsSecret references', async () => {
    const lines = await problems(
      {
        ...valid,
        profiles: {
          'acme-reports': {
            ...valid.profiles['acme-reports'],
            externalId: { kmsSecret: 'acme-external-id' },
          },
        },
      },
      { ACME_SHA256: 'a'.repeat(64) },
    )
    expect(lines).toEqual([
      'profiles.acme-reports.externalId: kmsSecret references need a kms section in the config (its endpoint)',
    ])
    const unset = await problems(valid, { ACME_EXTERNAL_ID: 'ext-7f3a9c2e1b' })
    expect(unset).toEqual([
      'callers.apiKeys[0].sha256[0]: environment variable ACME_SHA256 is not set',
    ])
  })

  it('refuses pinned-algorithm holes, durations above an hour without the flag, and JSON that is not JSON', async () => {
    const hs = structuredClone(valid) as any
    hs.callers.jwt[0].algorithms = ['HS256']
    expect((await problems(hs)).join()).toMatch(/callers\.jwt\[0\]\.algorithms\[0\]/)
    const long = structuredClone(valid) as any
    long.profiles['acme-reports'].durationSeconds = 7200
    expect((await problems(long)).join()).toMatch(/allowAboveOneHour/)
    expect(await problems('{')).toEqual([
      '(root): not valid JSON: expected a quoted property name, found the end of the text',
    ])
  })

  it.each([
    [
      'a variable in Action',
      { Effect: 'Allow', Action: ['oss:${caller.id}'], Resource: ['*'] },
      /variables may appear only in Resource and Condition values/,
    ],
    [
      'an unknown variable',
      { Effect: 'Allow', Action: ['oss:GetObject'], Resource: ['acs:oss:*:*:b/${caller.name}/*'] },
      /unknown variable \$\{caller\.name\}/,
    ],
    [
      'no delimiter after a variable',
      {
        Effect: 'Allow',
        Action: ['oss:GetObject'],
        Resource: ['acs:oss:*:*:b/users/${caller.id}*'],
      },
      /must stand between delimiters/,
    ],
    [
      'no delimiter before a variable',
      {
        Effect: 'Allow',
        Action: ['oss:GetObject'],
        Resource: ['acs:oss:*:*:b/users-${caller.id}/*'],
      },
      /must stand between delimiters/,
    ],
    [
      'a parameter not scoped by the caller',
      {
        Effect: 'Allow',
        Action: ['oss:GetObject'],
        Resource: ['acs:oss:*:*:b/${params.folder}/${caller.id}/*'],
      },
      /may only narrow a caller-scoped value/,
    ],
    [
      'a variable in a condition key',
      {
        Effect: 'Allow',
        Action: ['oss:ListObjects'],
        Resource: ['*'],
        Condition: { StringLike: { '${caller.id}': 'x' } },
      },
      /variables may appear only/,
    ],
  ])('refuses a template with %s at load', async (_name, statement, message) => {
    const config = structuredClone(valid) as any
    config.profiles['acme-reports'].sessionPolicy = { Version: '1', Statement: [statement] }
    config.profiles['acme-reports'].parameters = { folder: {} }
    expect((await problems(config)).join('\n')).toMatch(message)
  })

  it('refuses a configured JWKS holding a private key, and never prints the key', async () => {
    const d = 'private-exponent-that-must-never-be-printed'
    const issuer = {
      id: 'web',
      issuer: 'https://login.example.com',
      audience: 'credvend',
      jwks: { keys: [{ kty: 'EC', crv: 'P-256', x: 'x', y: 'y', d }] },
    }
    const found = await problems({ ...valid, callers: { ...valid.callers, jwt: [issuer] } })
    expect(found).toEqual([expect.stringMatching(/^callers\.jwt\[0\]\.jwks\.keys\[0\]: .*private/)])
    expect(found.join('\n')).not.toContain(d)
    const secret = { kty: 'oct', k: 'c2VjcmV0' }
    const withSecret = { ...issuer, jwks: { keys: [secret] } }
    expect(
      await problems({ ...valid, callers: { ...valid.callers, jwt: [withSecret] } }),
    ).toHaveLength(1)
  })

  it('refuses an alibaba rule naming a role credvend vends, directly or through a hub', async () => {
    const vends = (roleArn: string, via: unknown[] = []) => ({
      kind: 'sts',
      allow: [{ apiKey: 'acme' }],
      roleArn,
      via,
      durationSeconds: 900,
    })
    const allowsRole = (role: string) => ({
      kind: 'sts',
      allow: [{ alibaba: { account: '1234567890123456', role } }],
      roleArn: 'acs:ram::1234567890123456:role/host-data',
      durationSeconds: 900,
    })
    const callers = {
      ...valid.callers,
      alibaba: { accounts: ['1234567890123456'], sessionTokenKey: { env: 'TOKEN_KEY' } },
    }
    const direct = await problems({
      ...valid,
      callers,
      profiles: {
        narrowed: vends('acs:ram::1234567890123456:role/App-Upload'),
        'host-creds': allowsRole('app-upload'),
      },
    })
    expect(direct).toEqual([
      expect.stringMatching(
        /^profiles\.host-creds\.allow\[0\]\.alibaba: role app-upload is a role credvend vends \(profile narrowed\)/,
      ),
    ])
    const hub = { roleArn: 'acs:ram::1234567890123456:role/hub', durationSeconds: 3600 }
    const viaHub = await problems({
      ...valid,
      callers,
      profiles: {
        chained: vends('acs:ram::2222222222222222:role/partner', [hub]),
        'host-creds': allowsRole('hub'),
      },
    })
    expect(viaHub).toHaveLength(1)
  })

  it('names unknown keys and odd values by kind, never printing values that may be secrets', async () => {
    const found: string[] = []
    for (const change of [
      (c: any) => void (c.apiSecret = 'hunter2-pasted-by-mistake'),
      (c: any) => void (c.sts.endpoint = 'https://admin:hunter3@evil.example.com'),
      (c: any) => void (c.profiles['acme-reports'].allow = { apiKey: 'acme', note: 'hunter4' }),
    ]) {
      const bad = structuredClone(valid) as any
      change(bad)
      found.push(...(await problems(bad)))
    }
    expect(found).toEqual([
      'apiSecret: unrecognized key',
      'sts.endpoint: https://sts[-vpc].<region>.aliyuncs.com, or a loopback emulator',
      'profiles.acme-reports.allow: Invalid input: expected array, received object',
    ])
    expect(found.join('\n')).not.toMatch(/hunter/)
  })

  it('renders a policy without variables once, at load; a templated one gets a renderer instead', async () => {
    const config = structuredClone(valid) as any
    config.profiles.mine = {
      kind: 'sts',
      allow: [{ apiKey: 'acme' }],
      roleArn: 'acs:ram::2222222222222222:role/app',
      sessionPolicy: {
        Version: '1',
        Statement: [
          {
            Effect: 'Allow',
            Action: ['oss:GetObject'],
            Resource: ['acs:oss:*:*:b/${caller.id}/*'],
          },
        ],
      },
    }
    const loaded = await loadConfig(JSON.stringify(config), envSecretResolver(env))
    const fixed = loaded.profiles.get('acme-reports')!
    const text = JSON.stringify(valid.profiles['acme-reports'].sessionPolicy)
    expect(fixed.fixedPolicy).toMatchObject({
      text,
      sha256: createHash('sha256').update(text).digest('hex'),
      bytes: Buffer.byteLength(text),
    })
    expect(fixed.renderPolicy).toBeUndefined()
    const templated = loaded.profiles.get('mine')!
    expect(templated.fixedPolicy).toBeUndefined()
    expect(templated.renderPolicy).toBeTypeOf('function')
  })

  it('refuses a policy without variables that STS would refuse as too large, at load', async () => {
    const config = structuredClone(valid) as any
    config.profiles['acme-reports'].sessionPolicy.Statement[0].Sid = 'x'.repeat(2100)
    expect(await problems(config)).toEqual([
      'profiles.acme-reports.sessionPolicy: the rendered policy exceeds 2047 bytes',
    ])
  })
})
