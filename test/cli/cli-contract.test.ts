import { execFile, spawn } from 'node:child_process'
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http'
import { createServer, type Server } from 'node:net'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { COMMANDS } from '../../functions/node/cli/command-table.ts'
import { EXIT, EXIT_CODES_HELP } from '../../functions/node/cli/exit-codes.ts'
import { buildCliBundle } from '../../functions/node/tools/cli-bundle.ts'
import { CHILD_PROCESS_TIMEOUT_MS } from '../helpers/timeouts.ts'

/**
 * The command-line contract, on the bundled `credvend` a user installs (plain node, no loader):
 * every command answers --help on stdout with exit 0, refuses an unknown flag with the usage code,
 * prints parseable JSON with --json, and exits with the documented code for each kind of outcome.
 */

let dir: string
let bin: string

const run = (args: readonly string[], env: Record<string, string | undefined> = {}) =>
  new Promise<{ code: number; out: string; err: string }>((resolve) => {
    const childEnv: NodeJS.ProcessEnv = { ...process.env, CREDVEND_CONFIG: undefined, ...env }
    execFile(
      process.execPath,
      [bin, ...args],
      { env: childEnv, timeout: CHILD_PROCESS_TIMEOUT_MS },
      (error, out, err) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0
        resolve({ code, out, err })
      },
    )
  })

/** A config that loads without secrets or network: one STS profile, no issuers' keys fetched. */
const config = (roleArn: string) => ({
  region: 'cn-hangzhou',
  sourcePrincipal: 'acs:ram::1234567890123456:role/credvend',
  sts: { endpoint: 'https://sts.cn-hangzhou.aliyuncs.com' },
  callers: { apiKeys: [{ id: 'acme', sha256: ['0'.repeat(64)] }] },
  profiles: { acme: { kind: 'sts', allow: [{ apiKey: 'acme' }], roleArn } },
})

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'credvend-cli-contract-'))
  // A copy of its own beside the installed one, so a concurrent `npm run build:cli` never swaps
  // the file under test. The bundle carries every dependency it runs with (ioredis too).
  bin = await buildCliBundle(
    join(process.cwd(), 'functions/node/dist', `contract-${process.pid}`, 'credvend.js'),
  )
}, CHILD_PROCESS_TIMEOUT_MS)

afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
  if (bin) await rm(join(bin, '..'), { recursive: true, force: true })
})

describe('credvend command-line contract', { timeout: CHILD_PROCESS_TIMEOUT_MS }, () => {
  it('--version prints the package version; --help lists every command and the exit codes', async () => {
    const pkg = JSON.parse(await readFile('package.json', 'utf8')) as { version: string }
    const version = await run(['--version'])
    expect(version).toMatchObject({ code: 0, out: `${pkg.version}\n`, err: '' })
    const help = await run(['--help'])
    expect(help.code).toBe(0)
    for (const command of COMMANDS) expect(help.out).toContain(`  ${command.name} `)
    expect(help.out).toContain(EXIT_CODES_HELP)
  })

  it('the exit-code table printed is the one the code uses', () => {
    for (const [name, code] of Object.entries(EXIT))
      expect(EXIT_CODES_HELP, name).toMatch(new RegExp(`^  ${code}  `, 'm'))
    expect(new Set(Object.values(EXIT)).size).toBe(Object.keys(EXIT).length)
  })

  it('every command: --help on stdout with exit 0, naming each of its flags', async () => {
    const results = await Promise.all(
      COMMANDS.map(async (command) => ({
        command,
        result: await run([...command.name.split(' '), '--help']),
      })),
    )
    for (const { command, result } of results) {
      expect(result.code, `${command.name} --help: ${result.err}`).toBe(0)
      expect(result.err, command.name).toBe('')
      expect(result.out, command.name).toMatch(new RegExp(`^usage: credvend ${command.name}\\b`))
      for (const flag of Object.keys(command.options))
        expect(result.out, `${command.name} --help names --${flag}`).toContain(`--${flag}`)
      for (const variable of Object.keys(command.env ?? {}))
        expect(result.out, `${command.name} --help lists ${variable}`).toContain(variable)
    }
  })

  it('every command: an unknown flag or a typo is a usage error, before anything runs', async () => {
    const results = await Promise.all(
      COMMANDS.map(async (command) => ({
        command,
        result: await run([...command.name.split(' '), '--fromat', 'json']),
      })),
    )
    for (const { command, result } of results) {
      expect(result.code, command.name).toBe(EXIT.usage)
      expect(result.err, command.name).toContain('unknown flag --fromat')
      expect(result.out, command.name).toBe('')
    }
  })

  it('an unknown command, a flag without its value and a surplus argument are usage errors', async () => {
    expect((await run(['nosuch'])).code).toBe(EXIT.usage)
    expect((await run(['config', 'nosuch'])).code).toBe(EXIT.usage)
    expect((await run(['config', 'check'])).code).toBe(EXIT.usage)
    expect((await run(['config', 'check', 'a.json', 'b.json'])).code).toBe(EXIT.usage)
    const missing = await run(['export', '--profile'])
    expect(missing.code).toBe(EXIT.usage)
    expect(missing.err).toContain('--profile needs a value')
  })

  it('a group word alone is a usage error on stderr; with --help its usage is on stdout', async () => {
    const [alone, help] = await Promise.all([run(['config']), run(['config', '--help'])])
    expect(alone).toMatchObject({ code: EXIT.usage, out: '' })
    expect(alone.err).toContain('credvend config check FILE')
    expect(help).toMatchObject({ code: EXIT.ok, err: '' })
    expect(help.out).toContain('credvend config check FILE')
  })

  it('infra render into a place it cannot write is a usage error naming the path', async () => {
    const file = join(dir, 'render-config.json')
    await writeFile(file, JSON.stringify(config('acs:ram::1234567890123456:role/app')))
    // Under a regular file: ENOTDIR, which no privilege (root on CI) overrides.
    const out = join(file, 'out')
    const result = await run(['infra', 'render', file, '--out', out])
    expect(result.code, result.err).toBe(EXIT.usage)
    expect(result.err).toMatch(new RegExp(`cannot write ${out}/\\S+ \\(ENOTDIR\\)`))
    expect(result.err).toContain('credvend infra render --help')
  })

  it('--flag=value is the same as --flag value', async () => {
    const file = join(dir, 'config.json')
    await writeFile(file, JSON.stringify(config('acs:ram::1234567890123456:role/app')))
    const spaced = await run(['partner', 'check', 'acme', '--config', file, '--json'])
    const joined = await run(['partner', 'check', 'acme', `--config=${file}`, '--json'])
    expect(joined.code).toBe(spaced.code)
    expect(JSON.parse(joined.out)).toEqual(JSON.parse(spaced.out))
  })

  it('--json output parses, and the exit code says whether the check passed', async () => {
    const good = join(dir, 'good.json')
    const bad = join(dir, 'bad.json')
    await writeFile(good, JSON.stringify(config('acs:ram::1234567890123456:role/app')))
    await writeFile(bad, JSON.stringify(config('not-an-arn')))

    const ok = await run(['config', 'check', good, '--json'])
    expect(ok.code).toBe(EXIT.ok)
    expect(JSON.parse(ok.out)).toMatchObject({ ok: true, file: good, profiles: 1 })

    const failed = await run(['config', 'check', bad, '--json'])
    expect(failed.code).toBe(EXIT.failed)
    expect(JSON.parse(failed.out)).toMatchObject({ ok: false, file: bad })

    // A profile without an ExternalId fails the partner gate before any call is made.
    const partner = await run(['partner', 'check', 'acme', '--config', good, '--json'])
    expect(partner.code).toBe(EXIT.failed)
    expect(JSON.parse(partner.out)).toMatchObject({ ok: false, partner: 'acme' })

    const out = join(dir, 'infra')
    expect((await run(['infra', 'render', good, '--out', out])).code).toBe(EXIT.ok)
    const infra = await run(['infra', 'check', good, out, '--json'])
    expect(infra.code).toBe(EXIT.ok)
    expect(JSON.parse(infra.out)).toEqual({ ok: true, drift: [] })
    const drifted = await run(['infra', 'check', bad.replace('bad', 'good'), join(dir, 'empty')])
    expect(drifted.code).toBe(EXIT.failed)
  })

  it('an unreachable server is exit 3, told apart from a refusal or a usage error', async () => {
    // A port that was just free: nothing listens on it.
    const server: Server = createServer()
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const { port } = server.address() as { port: number }
    await new Promise<void>((resolve) => server.close(() => resolve()))
    const result = await run(['export', '--url', `http://127.0.0.1:${port}`, '--profile', 'p'], {
      CREDVEND_API_KEY: 'cvk_test_key',
    })
    expect(result.code, result.err).toBe(EXIT.unreachable)
    expect(result.err).toContain('unreachable')
    expect(result.out).toBe('')
  })

  it("a server that answers 500 refused (exit 1); a gateway's 503 is unreachable (exit 3)", async () => {
    const payload = 'an upstream message that must not be printed'
    const answering = (status: number, Code: string) =>
      new Promise<HttpServer>((resolve) => {
        const server = createHttpServer((_request, response) => {
          response.writeHead(status, { 'content-type': 'application/json' })
          response.end(JSON.stringify({ Code, Message: payload }))
        })
        server.listen(0, '127.0.0.1', () => resolve(server))
      })
    const servers = await Promise.all([
      answering(500, 'ERR_INTERNAL'),
      answering(503, 'ERR_STS_UNAVAILABLE'),
    ])
    const exportFrom = (server: HttpServer) =>
      run(
        [
          'export',
          '--url',
          `http://127.0.0.1:${(server.address() as { port: number }).port}`,
          '--profile',
          'p',
        ],
        { CREDVEND_API_KEY: 'cvk_test_key' },
      )
    try {
      const [internal, unavailable] = await Promise.all([
        exportFrom(servers[0]),
        exportFrom(servers[1]),
      ])
      expect(internal.code, internal.err).toBe(EXIT.failed)
      expect(internal.err).toContain('HTTP 500 ERR_INTERNAL')
      expect(unavailable.code, unavailable.err).toBe(EXIT.unreachable)
      expect(unavailable.err).toContain('HTTP 503 ERR_STS_UNAVAILABLE')
      for (const r of [internal, unavailable]) {
        expect(r.out).toBe('')
        expect(r.err).not.toContain(payload)
      }
    } finally {
      for (const server of servers) server.close()
    }
  })

  it('doctor --json parses with no credentials and with an AccessKey, and exits 3 as STS is unreachable', async () => {
    const server: Server = createServer()
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const { port } = server.address() as { port: number }
    await new Promise<void>((resolve) => server.close(() => resolve()))
    const bare = Object.fromEntries(
      Object.keys(process.env)
        .filter((name) => /^ALIBABA_CLOUD_|^ALICLOUD_|^ALIBABACLOUD_/.test(name))
        .map((name) => [name, undefined]),
    )
    const endpoint = `http://127.0.0.1:${port}`
    const doctor = (credentials: Record<string, string>) =>
      run(['doctor', '--json'], {
        ...bare,
        HOME: dir,
        ALIBABA_CLOUD_STS_ENDPOINT: endpoint,
        ALIBABA_CLOUD_ECS_METADATA_DISABLED: 'true',
        ...credentials,
      })
    // With no credential at all, and with one whose identity check would have to reach STS.
    const [none, keyed] = await Promise.all([
      doctor({}),
      doctor({
        ALIBABA_CLOUD_ACCESS_KEY_ID: 'LTAI5tDummyKeyForDoctor0',
        ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'a-dummy-secret-never-sent',
      }),
    ])
    type Report = {
      ok: boolean
      checks: Array<{ name: string; status: string; detail: string; unreachable?: true }>
    }
    for (const [name, result] of [
      ['no credentials', none],
      ['an AccessKey', keyed],
    ] as const) {
      const report = JSON.parse(result.out) as Report
      const check = (checkName: string) => report.checks.find((c) => c.name === checkName)
      expect(report.ok, name).toBe(false)
      // The STS endpoint is probed whatever the source: its silence is what the exit code says.
      expect(result.code, `${name}: ${result.err}`).toBe(EXIT.unreachable)
      expect(check('sts-endpoint'), name).toMatchObject({
        status: 'fail',
        detail: expect.stringContaining(endpoint),
        unreachable: true,
      })
      expect(result.err, name).not.toMatch(/\bat .*\.js:\d+/)
      expect(`${result.out}${result.err}`, name).not.toContain('a-dummy-secret-never-sent')
    }
    const identity = (result: typeof none) =>
      (JSON.parse(result.out) as Report).checks.find((c) => c.name === 'identity')
    expect(identity(none)).toMatchObject({
      status: 'skipped',
      detail: expect.stringContaining('no working credential source'),
    })
    expect(identity(keyed)).toMatchObject({
      status: 'skipped',
      detail: `STS at ${endpoint} did not answer`,
    })
  })

  it('partner init --config needs none of the secrets of the config, only its sourcePrincipal', async () => {
    const file = join(dir, 'with-secrets.json')
    const withSecrets = config('acs:ram::1234567890123456:role/app')
    await writeFile(
      file,
      JSON.stringify({
        ...withSecrets,
        callers: { apiKeys: [{ id: 'acme', sha256: [{ env: 'CREDVEND_UNSET_KEY_SHA256' }] }] },
        profiles: {
          acme: { ...withSecrets.profiles.acme, externalId: { env: 'CREDVEND_UNSET_EXTERNAL_ID' } },
        },
      }),
    )
    const result = await run(
      [
        'partner',
        'init',
        'globex',
        '--role-arn',
        'acs:ram::2222222222222222:role/globex',
        '--config',
        file,
      ],
      { CREDVEND_UNSET_KEY_SHA256: undefined, CREDVEND_UNSET_EXTERNAL_ID: undefined },
    )
    expect(result.code, result.err).toBe(EXIT.ok)
    expect(result.out).toContain('acs:ram::1234567890123456:role/credvend')
  })

  it('an unreadable file is a usage error', async () => {
    const result = await run(['config', 'check', join(dir, 'missing.json')])
    expect(result.code).toBe(EXIT.usage)
    expect(result.err).toContain('cannot read')
  })

  it('serve is the process signals reach: SIGHUP reloads its config, SIGTERM stops it', async () => {
    const file = join(dir, 'served.json')
    await writeFile(file, JSON.stringify(config('acs:ram::1234567890123456:role/app')))
    const child = spawn(process.execPath, [bin, 'serve', '--config', file], {
      env: { ...process.env, CREDVEND_CONFIG: undefined, PORT: '0' },
    })
    let out = ''
    child.stdout.on('data', (d) => (out += d))
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve))
    const printed = (pattern: RegExp) =>
      new Promise<RegExpMatchArray>((resolve, reject) => {
        const check = () => {
          const match = out.match(pattern)
          if (match) resolve(match)
        }
        child.stdout.on('data', check)
        void exited.then(() => reject(new Error(`serve exited before printing ${pattern}`)))
        check()
      })
    try {
      const [, generation] = await printed(/"event":"listening".*"generation":"([0-9a-f]+)"/)
      await writeFile(file, JSON.stringify(config('acs:ram::1234567890123456:role/other')))
      child.kill('SIGHUP')
      const [, next] = await printed(/"event":"reloaded","generation":"([0-9a-f]+)"/)
      expect(next).not.toBe(generation)
      child.kill('SIGTERM')
      expect(await exited).toBe(0)
    } finally {
      child.kill('SIGKILL')
    }
  })
})
