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
    expect(cli.stderr()).toMatch(
      /\n {2}callers\.apiKeys\[0\]\.sha256\[0\] \(line \d+, column \d+\): environment variable ACME_SHA256 is not set\n/,
    )
  })

  /** A file with structural problems and a template problem in a profile that is valid by itself. */
  const badConfig = () => {
    const bad = withRole(configFor('https://evil.example.com'))
    ;(bad.profiles.plain as Record<string, unknown>).roleArn = 'not-an-arn'
    bad.profiles.upload.sessionPolicy = {
      Version: '1',
      Statement: [{ Effect: 'Allow', Action: ['oss:${caller.id}'], Resource: ['*'] }],
    } as unknown as typeof UPLOAD_TEMPLATE
    return JSON.stringify(bad, null, 2)
  }
  /** Where `token` starts on the one line holding `marker`, as an editor numbers it. */
  const seen = (text: string, marker: string, token: string) => {
    const lines = text.split('\n')
    const line = lines.findIndex((l) => l.includes(marker))
    return { line: line + 1, column: lines[line]!.indexOf(token) + 1 }
  }
  const expectedProblems = (text: string) => [
    {
      path: 'sts.endpoint',
      ...seen(text, 'evil.example.com', '"https:'),
      message: 'https://sts[-vpc].<region>.aliyuncs.com, or a loopback emulator',
    },
    {
      path: 'profiles.plain.roleArn',
      ...seen(text, 'not-an-arn', '"not'),
      message: 'a RAM role ARN',
    },
    {
      path: 'profiles.upload.sessionPolicy.Statement[0].Action[0]',
      ...seen(text, 'oss:${caller.id}', '"oss'),
      message: 'variables may appear only in Resource and Condition values (found ${caller.id})',
    },
  ]

  it('exits 1 (check failed) with every problem, structural and template, each at its line and column', async () => {
    const text = badConfig()
    const file = write('bad.json', text)
    const cli = runCli(['config', 'check', file])
    expect(await cli.exited).toBe(1)
    expect(cli.stderr()).toBe(
      [
        `credvend config check: ${file}: invalid configuration:`,
        ...expectedProblems(text).map(
          (p) => `  ${p.path} (line ${p.line}, column ${p.column}): ${p.message}`,
        ),
        '',
      ].join('\n'),
    )
    expect(cli.stderr()).not.toMatch(/evil|not-an-arn/)
  })

  it('--json prints the same problems as structured records', async () => {
    const text = badConfig()
    const file = write('bad-json.json', text)
    const cli = runCli(['config', 'check', file, '--json'])
    expect(await cli.exited).toBe(1)
    expect(JSON.parse(cli.stdout())).toEqual({
      ok: false,
      file,
      problems: expectedProblems(text),
    })
    const broken = write('broken.json', '{\n  "region": "cn-hangzhou"\n  "sts": {}\n}\n')
    const json = runCli(['config', 'check', broken, '--json'])
    expect(await json.exited).toBe(1)
    expect(JSON.parse(json.stdout())).toEqual({
      ok: false,
      file: broken,
      problems: [
        {
          path: '(root)',
          line: 3,
          column: 3,
          message: "not valid JSON: expected ',' or '}'",
        },
      ],
    })
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
