import { createHash } from 'node:crypto'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.ts'
import { killCliChildren, runCli } from '../helpers/cli.ts'
import { UPLOAD_TEMPLATE } from '../helpers/vend-harness.ts'
import { CHILD_PROCESS_TIMEOUT_MS } from '../helpers/timeouts.ts'

afterEach(killCliChildren)
let emulator: TestEmulator
const dir = mkdtempSync(join(tmpdir(), 'credvend-cli-'))
const KEY = `cvk_acme_${'A'.repeat(43)}`
const KEY_SHA256 = createHash('sha256').update(KEY).digest('hex')

const configFor = (endpoint: string, duration = 900) => ({
  region: 'cn-hangzhou',
  sts: { endpoint },
  callers: {
    jwt: [
      {
        id: 'web',
        issuer: 'https://login.example.com',
        audience: 'credvend',
        jwksUri: 'https://login.example.com/jwks.json',
      },
    ],
    apiKeys: [{ id: 'acme', sha256: [{ env: 'ACME_SHA256' }] }],
  },
  profiles: {
    upload: {
      kind: 'sts',
      allow: [{ jwt: 'web' }],
      roleArn: 'acs:ram::1234567890123456:role/app',
      sessionPolicy: UPLOAD_TEMPLATE,
      variables: { 'claims.tenant': { pattern: '^[a-z0-9-]{1,40}$' } },
      parameters: { folder: {} },
    },
    plain: { kind: 'sts', allow: [{ apiKey: 'acme' }], roleArn: '', durationSeconds: duration },
  },
})

const write = (name: string, value: unknown) => {
  const path = join(dir, name)
  writeFileSync(path, typeof value === 'string' ? value : JSON.stringify(value, null, 2))
  return path
}

beforeAll(async () => {
  emulator = await startTestEmulator()
})
afterAll(() => emulator?.close())

const withRole = (config: ReturnType<typeof configFor>) => {
  config.profiles.plain.roleArn = emulator.demo.appRole.arn
  return config
}

describe('credvend keys create', { timeout: CHILD_PROCESS_TIMEOUT_MS }, () => {
  it('prints a cvk_ key once, its SHA-256 and a config snippet with an env reference', async () => {
    const cli = runCli(['keys', 'create', 'acme'])
    expect(await cli.exited).toBe(0)
    const key = cli.stdout().match(/cvk_acme_[A-Za-z0-9_-]{43}/)![0]
    expect(cli.stdout()).toContain(createHash('sha256').update(key).digest('hex'))
    expect(cli.stdout()).toContain('"env": "CREDVEND_KEY_ACME_SHA256"')
  })

  it('refuses a bad id', async () => {
    const cli = runCli(['keys', 'create', 'Bad.Id'])
    expect(await cli.exited).toBe(2)
  })
})

describe('credvend config check', { timeout: CHILD_PROCESS_TIMEOUT_MS }, () => {
  it('accepts a valid file without needing its secrets, and prints its generation', async () => {
    const cli = runCli([
      'config',
      'check',
      write('ok.json', withRole(configFor('https://sts.cn-hangzhou.aliyuncs.com'))),
    ])
    expect(await cli.exited).toBe(0)
    expect(cli.stdout()).toMatch(/^ok: .* generation [0-9a-f]{16}, 2 profile\(s\)/)
  })

  it('--resolve also resolves secret references, and says which one is missing', async () => {
    const cli = runCli([
      'config',
      'check',
      write('ok2.json', withRole(configFor('https://sts.cn-hangzhou.aliyuncs.com'))),
      '--resolve',
    ])
    expect(await cli.exited).toBe(1)
    expect(cli.stderr()).toContain(
      'callers.apiKeys[0].sha256[0]: environment variable ACME_SHA256 is not set',
    )
  })

  it('exits 1 (check failed) with one line per problem', async () => {
    const bad = withRole(configFor('https://evil.example.com'))
    ;(bad.profiles.plain as Record<string, unknown>).roleArn = 'not-an-arn'
    const cli = runCli(['config', 'check', write('bad.json', bad)])
    expect(await cli.exited).toBe(1)
    const lines = cli
      .stderr()
      .split('\n')
      .filter((l) => l.startsWith('  '))
    expect(lines.map((l) => l.trim().split(':')[0])).toEqual(
      expect.arrayContaining(['sts.endpoint', 'profiles.plain.roleArn']),
    )
  })
})

describe('credvend policy render', { timeout: CHILD_PROCESS_TIMEOUT_MS }, () => {
  it('prints the exact policy a caller would get, its size against the limit, and the session name', async () => {
    const config = write('render.json', withRole(configFor('https://sts.cn-hangzhou.aliyuncs.com')))
    const claims = write('alice.json', {
      iss: 'https://login.example.com',
      sub: 'alice',
      tenant: 'acme-corp',
    })
    const cli = runCli([
      'policy',
      'render',
      '--config',
      config,
      '--profile',
      'upload',
      '--as',
      claims,
      '--param',
      'folder=photos',
    ])
    expect(await cli.exited).toBe(0)
    const [policy, size] = cli.stdout().split('\n')
    expect(policy).toBe(
      '{"Version":"1","Statement":[{"Effect":"Allow","Action":["oss:PutObject"],"Resource":["acs:oss:*:*:demo-bucket/users/jwt.web.alice/photos/*"]},' +
        '{"Effect":"Allow","Action":["oss:GetObject"],"Resource":["acs:oss:*:*:demo-bucket/tenants/acme-corp/*"]}]}',
    )
    expect(size).toBe(
      `size: ${Buffer.byteLength(policy!)} of 2047 bytes (${Math.round((Buffer.byteLength(policy!) / 2047) * 100)}%)`,
    )
    expect(cli.stdout()).toContain('session name: jwt.web.alice')
  })

  it('refuses a hostile claim exactly as the server would', async () => {
    const config = write(
      'render2.json',
      withRole(configFor('https://sts.cn-hangzhou.aliyuncs.com')),
    )
    const claims = write('mallory.json', { sub: 'mallory', tenant: '*' })
    const cli = runCli([
      'policy',
      'render',
      '--config',
      config,
      '--profile',
      'upload',
      '--as',
      claims,
      '--param',
      'folder=x',
    ])
    expect(await cli.exited).toBe(1)
    expect(cli.stderr()).toContain('ERR_POLICY_VALUE')
  })
})

describe('credvend serve with CREDVEND_CONFIG', { timeout: CHILD_PROCESS_TIMEOUT_MS }, () => {
  it('vends with its own identity from the environment, and SIGHUP reloads the file atomically', async () => {
    const path = write('serve.json', withRole(configFor(emulator.stsEndpoint)))
    const cli = runCli(['serve'], {
      CREDVEND_CONFIG: path,
      PORT: '0',
      ACME_SHA256: KEY_SHA256,
      ALIBABA_CLOUD_ACCESS_KEY_ID: emulator.demo.vendor.accessKeyId,
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: emulator.demo.vendor.accessKeySecret,
    })
    const [, url, generation] = await cli.output(
      /"url":"(http:\/\/127\.0\.0\.1:\d+)","generation":"([0-9a-f]+)"/,
    )
    const vend = () =>
      fetch(`${url}/v1/credentials/plain`, { headers: { authorization: `Bearer ${KEY}` } })
    const first = await (await vend()).json()
    expect(first.Code).toBe('Success')

    write('serve.json', '{ broken')
    cli.child.kill('SIGHUP')
    await cli.output(/"event":"reload-refused"/)
    expect((await (await vend()).json()).AccessKeyId).toBe(first.AccessKeyId)

    write('serve.json', withRole(configFor(emulator.stsEndpoint, 1800)))
    cli.child.kill('SIGHUP')
    const [, next] = await cli.output(/"event":"reloaded","generation":"([0-9a-f]+)"/)
    expect(next).not.toBe(generation)
    const after = await (await vend()).json()
    expect(after.AccessKeyId).not.toBe(first.AccessKeyId)
  })
})
