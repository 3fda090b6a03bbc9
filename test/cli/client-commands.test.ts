import { mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { listenLoopback } from '../../functions/node/cli/local/local-emulator.ts'
import { killCliChildren, runCli } from '../helpers/cli.ts'
import { SVC_PROFILE } from '../helpers/served-vend-harness.ts'
import { startVendHarness, type VendHarness } from '../helpers/vend-harness.ts'
import { CHILD_PROCESS_TIMEOUT_MS } from '../helpers/timeouts.ts'

const require = createRequire(import.meta.url)
type Provider = {
  getCredentials(): Promise<{
    accessKeyId: string
    accessKeySecret: string
    securityToken?: string
  }>
}
const CLIProfile = (
  require('@alicloud/credentials/dist/src/providers/cli_profile') as {
    default: { builder(): { withProfileName(n: string): { build(): Provider } } }
  }
).default

let h: VendHarness
let server: { port: number; close: () => Promise<void> }
let url: string
const KEY_ENV = 'CREDVEND_TEST_API_KEY'
/** The profile of every vend request credvend received, in order. */
const vends: string[] = []

/** The official CLI-profile provider reading `<home>/.aliyun/config.json`. */
const officialProfile = (home: string, name: string) => {
  const saved = process.env.HOME
  process.env.HOME = home
  try {
    return CLIProfile.builder().withProfileName(name).build()
  } finally {
    process.env.HOME = saved
  }
}

const cli = async (args: string[]) => {
  const run = runCli(args, { [KEY_ENV]: h.acmeKey })
  const code = await run.exited
  return { code, out: run.stdout(), err: run.stderr() }
}
type Result = Awaited<ReturnType<typeof cli>>
const auth = () => ['--url', url, '--profile', 'svc', '--api-key-env', KEY_ENV]

beforeAll(async () => {
  h = await startVendHarness({
    config: (c, emulator) => ({
      ...c,
      // The internal function: it also serves the access-key profile.
      exposeInternalRoutes: true,
      kms: { endpoint: emulator.kmsEndpoint },
      profiles: {
        ...c.profiles,
        svc: SVC_PROFILE,
        erp: { kind: 'access-key', allow: [{ apiKey: 'acme' }], secretName: 'erp-ram-ak' },
      },
    }),
  })
  server = await listenLoopback((request, env) => {
    const path = new URL(request.url).pathname
    if (path.startsWith('/v1/credentials/')) vends.push(path.slice('/v1/credentials/'.length))
    return h.app.fetch(request, env)
  }, 0)
  url = `http://127.0.0.1:${server.port}`
})
afterAll(async () => {
  killCliChildren()
  await server.close()
  await h.close()
})

describe('credvend exec', () => {
  it(
    'runs a child that reads credentials through ALIBABA_CLOUD_CREDENTIALS_URI with the official package, and passes on its exit code',
    async () => {
      const child = [
        "const { default: C, Config } = require('@alicloud/credentials')",
        "new C(new Config({ type: 'credentials_uri', credentialsURI: process.env.ALIBABA_CLOUD_CREDENTIALS_URI }))",
        "  .getCredential().then((c) => { console.log('child got ' + c.accessKeyId + ' via ' + process.env.ALIBABA_CLOUD_CREDENTIALS_URI.split('/')[2]); process.exit(7) })",
        `console.log('child sees exec key: ' + (process.env.${KEY_ENV} !== undefined))`,
      ].join('\n')
      const result = await cli(['exec', ...auth(), '--', process.execPath, '-e', child])
      expect(result.code, result.err).toBe(7)
      // The profile's credentials only, not the key that could vend other profiles.
      expect(result.out).toContain('child sees exec key: false')
      const [, accessKeyId, host] = /child got (STS\.\S+) via (\S+)/.exec(result.out)!
      expect(host).toMatch(/^127\.0\.0\.1:\d+$/)
      expect(h.emulator.world.findSession(accessKeyId!)!.sessionName).toBe('key.acme')
    },
    CHILD_PROCESS_TIMEOUT_MS,
  )

  it(
    'refuses to run without a command, and without a credential',
    async () => {
      expect((await cli(['exec', ...auth()])).code).toBe(2)
      const noKey = runCli(['exec', '--url', url, '--profile', 'svc', '--', 'true'], {
        [KEY_ENV]: undefined,
        CREDVEND_API_KEY: undefined,
      })
      expect(await noKey.exited).toBe(2)
      expect(noKey.stderr()).toContain('no credential')
    },
    CHILD_PROCESS_TIMEOUT_MS,
  )
})

describe('credvend process', () => {
  it(
    "prints what the official package's External profile mode accepts",
    async () => {
      const home = mkdtempSync(join(tmpdir(), 'credvend-process-'))
      mkdirSync(join(home, '.aliyun'))
      const command = [
        process.execPath,
        '--import',
        'tsx',
        join(process.cwd(), 'functions/node/cli/cli.ts'),
        'process',
        ...auth(),
      ].join(' ')
      writeFileSync(
        join(home, '.aliyun', 'config.json'),
        JSON.stringify({
          current: 'ext',
          profiles: [{ name: 'ext', mode: 'External', process_command: command }],
        }),
      )
      process.env[KEY_ENV] = h.acmeKey // the official provider runs the command with its own environment
      try {
        const creds = await officialProfile(home, 'ext').getCredentials()
        expect(creds.accessKeyId).toMatch(/^STS\./)
        expect(creds.securityToken).toBeTruthy()
        expect(h.emulator.world.findSession(creds.accessKeyId)!.accessKeySecret).toBe(
          creds.accessKeySecret,
        )
      } finally {
        delete process.env[KEY_ENV]
      }
    },
    CHILD_PROCESS_TIMEOUT_MS,
  )
})

describe('credvend export', () => {
  it(
    'env, json and cli-config outputs parse back to the same credentials',
    async () => {
      const [env, json, config] = (await Promise.all(
        ['env', 'json', 'cli-config'].map((format) =>
          cli(['export', ...auth(), '--format', format]),
        ),
      )) as [Result, Result, Result]
      for (const r of [env, json, config]) expect(r.code, r.err).toBe(0)

      const vars = Object.fromEntries(
        [...env.out.matchAll(/^export (\w+)='([^']*)'$/gm)].map(([, k, v]) => [k, v]),
      )
      expect(Object.keys(vars).sort()).toEqual([
        'ALIBABA_CLOUD_ACCESS_KEY_ID',
        'ALIBABA_CLOUD_ACCESS_KEY_SECRET',
        'ALIBABA_CLOUD_SECURITY_TOKEN',
      ])
      const session = h.emulator.world.findSession(vars.ALIBABA_CLOUD_ACCESS_KEY_ID!)!
      expect([vars.ALIBABA_CLOUD_ACCESS_KEY_SECRET, vars.ALIBABA_CLOUD_SECURITY_TOKEN]).toEqual([
        session.accessKeySecret,
        session.securityToken,
      ])

      const body = JSON.parse(json.out)
      expect(body).toMatchObject({
        Code: 'Success',
        AccessKeyId: session.accessKeyId,
        SecurityToken: session.securityToken,
      })
      expect(body.Expiration).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/)

      const home = mkdtempSync(join(tmpdir(), 'credvend-export-'))
      mkdirSync(join(home, '.aliyun'))
      writeFileSync(join(home, '.aliyun', 'config.json'), config.out)
      const official = await officialProfile(home, 'svc').getCredentials()
      expect([official.accessKeyId, official.accessKeySecret, official.securityToken]).toEqual([
        session.accessKeyId,
        session.accessKeySecret,
        session.securityToken,
      ])
    },
    CHILD_PROCESS_TIMEOUT_MS,
  )

  it(
    'an unknown format is a usage error before any call',
    async () => {
      const before = h.assumeRoleCalls()
      expect((await cli(['export', ...auth(), '--format', 'yaml'])).code).toBe(2)
      expect(h.assumeRoleCalls()).toBe(before)
    },
    CHILD_PROCESS_TIMEOUT_MS,
  )
})

describe('credvend agent --cli-config', () => {
  it(
    'writes a 0600 CredentialsURI profile at the running agent, with no credential in it, which the official package reads',
    async () => {
      const home = mkdtempSync(join(tmpdir(), 'credvend-agent-cli-'))
      const file = join(home, '.aliyun', 'config.json')
      const run = runCli(['agent', ...auth(), '--cli-config', file, '--region', 'cn-beijing'], {
        [KEY_ENV]: h.acmeKey,
      })
      try {
        await run.output(/^# aliyun CLI: --profile svc in .*\(CredentialsURI\)$/m)
        expect(statSync(file).mode & 0o777).toBe(0o600)
        const written = JSON.parse(readFileSync(file, 'utf8'))
        expect(written.current).toBe('svc')
        expect(written.profiles).toHaveLength(1)
        const profile = written.profiles[0]
        expect(Object.keys(profile).sort()).toEqual([
          'credentials_uri',
          'language',
          'mode',
          'name',
          'output_format',
          'region_id',
        ])
        expect(profile).toMatchObject({
          name: 'svc',
          mode: 'CredentialsURI',
          region_id: 'cn-beijing',
        })
        // The URI the agent printed for the shell, and no other.
        expect(run.stdout()).toContain(`ALIBABA_CLOUD_CREDENTIALS_URI='${profile.credentials_uri}'`)
        const { default: Credential, Config } = require('@alicloud/credentials') as {
          default: new (config: unknown) => {
            getCredential(): Promise<
              Record<'accessKeyId' | 'accessKeySecret' | 'securityToken', string>
            >
          }
          Config: new (c: Record<string, unknown>) => unknown
        }
        const creds = await new Credential(
          new Config({ type: 'credentials_uri', credentialsURI: profile.credentials_uri }),
        ).getCredential()
        expect(h.emulator.world.findSession(creds.accessKeyId)!.accessKeySecret).toBe(
          creds.accessKeySecret,
        )
        expect(readFileSync(file, 'utf8')).not.toContain(creds.securityToken)
      } finally {
        run.child.kill('SIGTERM')
        await run.exited
      }
    },
    CHILD_PROCESS_TIMEOUT_MS,
  )

  it(
    'refuses a file it cannot merge into, and --region without --cli-config, before any vend',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'credvend-agent-cli-bad-'))
      const file = join(dir, 'config.json')
      writeFileSync(file, 'not json')
      const before = vends.length
      const [bad, region] = await Promise.all([
        cli(['agent', ...auth(), '--cli-config', file]),
        cli(['agent', ...auth(), '--region', 'cn-beijing']),
      ])
      expect(bad.code, bad.err).toBe(2)
      expect(bad.err).toContain('is not an aliyun CLI config file')
      expect(region.code, region.err).toBe(2)
      expect(region.err).toContain('--region only sets the region')
      expect(vends.length).toBe(before)
      expect(readFileSync(file, 'utf8')).toBe('not json')
    },
    CHILD_PROCESS_TIMEOUT_MS,
  )
})

describe('access-key profiles through the delivery commands', () => {
  const akAuth = () => ['--url', url, '--profile', 'erp', '--api-key-env', KEY_ENV]

  it(
    'exec hands the child the AccessKey variables (no credentials URI: it needs a SecurityToken)',
    async () => {
      const child =
        "console.log([process.env.ALIBABA_CLOUD_ACCESS_KEY_ID, process.env.ALIBABA_CLOUD_SECURITY_TOKEN ?? 'none', process.env.ALIBABA_CLOUD_CREDENTIALS_URI ?? 'none'].join(' '))"
      const result = await cli(['exec', ...akAuth(), '--', process.execPath, '-e', child])
      expect(result.code, result.err).toBe(0)
      expect(result.out.trim()).toBe(`${h.emulator.erpSecret.current.accessKeyId} none none`)
    },
    CHILD_PROCESS_TIMEOUT_MS,
  )

  it(
    'process prints mode AK, which the official External profile mode accepts; export env has no token',
    async () => {
      const home = mkdtempSync(join(tmpdir(), 'credvend-process-ak-'))
      mkdirSync(join(home, '.aliyun'))
      const command = [
        process.execPath,
        '--import',
        'tsx',
        join(process.cwd(), 'functions/node/cli/cli.ts'),
        'process',
        ...akAuth(),
      ].join(' ')
      writeFileSync(
        join(home, '.aliyun', 'config.json'),
        JSON.stringify({
          current: 'ext',
          profiles: [{ name: 'ext', mode: 'External', process_command: command }],
        }),
      )
      process.env[KEY_ENV] = h.acmeKey
      try {
        const creds = await officialProfile(home, 'ext').getCredentials()
        expect([creds.accessKeyId, creds.accessKeySecret]).toEqual([
          h.emulator.erpSecret.current.accessKeyId,
          h.emulator.erpSecret.current.accessKeySecret,
        ])
        expect(creds.securityToken).toBeFalsy()
      } finally {
        delete process.env[KEY_ENV]
      }
      const env = await cli(['export', ...akAuth(), '--format', 'env'])
      expect(env.out).toContain(
        `export ALIBABA_CLOUD_ACCESS_KEY_ID='${h.emulator.erpSecret.current.accessKeyId}'`,
      )
      expect(env.out).not.toContain('SECURITY_TOKEN')
    },
    CHILD_PROCESS_TIMEOUT_MS,
  )
})

describe('agent and exec: what they refuse', () => {
  const akAuth = () => ['--url', url, '--profile', 'erp', '--api-key-env', KEY_ENV]

  it(
    'the agent refuses an access-key profile at start, with or without a duration, and says what to use',
    async () => {
      const [plain, timed] = await Promise.all([
        cli(['agent', ...akAuth()]),
        cli(['agent', ...akAuth(), '--duration-seconds', '3600']),
      ])
      for (const r of [plain, timed]) {
        expect(r.code, r.err).toBe(1)
        expect(r.err).toContain('profile erp: an access-key profile')
        expect(r.err).toContain('use credvend exec or credvend process')
        expect(r.out).toBe('') // no URI was handed out
      }
    },
    CHILD_PROCESS_TIMEOUT_MS,
  )

  it(
    'a duration outside the vend API bounds is a usage error before any call; exec refuses one for an access-key profile',
    async () => {
      const before = vends.length
      const bounds = await Promise.all([
        cli(['agent', ...auth(), '--duration-seconds', '600']),
        cli(['exec', ...auth(), '--duration-seconds', '1h', '--', 'true']),
      ])
      for (const r of bounds) {
        expect(r.code, r.err).toBe(2)
        expect(r.err).toContain('--duration-seconds must be a whole number from 900')
      }
      expect(bounds[1]!.err).toContain('got "1h"')
      expect(vends.length).toBe(before)

      const accessKey = await cli(['exec', ...akAuth(), '--duration-seconds', '3600', '--', 'true'])
      expect(accessKey.code, accessKey.err).toBe(2)
      expect(accessKey.err).toContain('erp is an access-key profile')
      // The refused vend, then the one plain vend that tells the profile's kind.
      expect(vends.slice(before)).toEqual(['erp', 'erp'])
    },
    CHILD_PROCESS_TIMEOUT_MS,
  )

  it(
    'a refusal other than the access-key one is reported as is, with no second vend',
    async () => {
      const before = vends.length
      const unknown = await cli([
        'exec',
        '--url',
        url,
        '--profile',
        'no-such-profile',
        '--api-key-env',
        KEY_ENV,
        '--duration-seconds',
        '3600',
        '--',
        'true',
      ])
      expect(unknown.code, unknown.err).toBe(1)
      expect(unknown.err).toContain('HTTP 404 ERR_NOT_FOUND')
      expect(vends.slice(before)).toEqual(['no-such-profile'])
    },
    CHILD_PROCESS_TIMEOUT_MS,
  )

  it(
    'a program that is not there exits 127, one that cannot be run 126, as a shell says it',
    async () => {
      const [missing, unrunnable] = await Promise.all([
        cli(['exec', ...auth(), '--', '/no/such/cmd', '--flag']),
        cli(['exec', ...auth(), '--', tmpdir()]),
      ])
      expect(missing.code, missing.err).toBe(127)
      expect(missing.err).toContain('command not found: /no/such/cmd')
      expect(unrunnable.code, unrunnable.err).toBe(126)
      expect(unrunnable.err).toContain(`permission denied: ${tmpdir()}`)
      for (const r of [missing, unrunnable]) expect(r.err).not.toMatch(/\bat .*:\d+:\d+/)
    },
    CHILD_PROCESS_TIMEOUT_MS,
  )

  it(
    'the help of both names the duration flag and the isolation switches',
    async () => {
      for (const command of ['agent', 'exec']) {
        const r = await cli([command, '--help'])
        expect(r.code).toBe(0)
        expect(r.out).toContain('--duration-seconds N')
        expect(r.out).toContain('ALIBABA_CLOUD_CLI_PROFILE_DISABLED')
      }
      const exec = await cli(['exec', '--help'])
      // Said as it is: only the variables are withheld; a token file stays readable to the child.
      expect(exec.out).toContain('only the environment variables carrying it')
      expect(exec.out).not.toContain('not vend others')
      expect(exec.out).toContain('127')
    },
    CHILD_PROCESS_TIMEOUT_MS,
  )

  it(
    'exec passes SIGTERM on to the child and ends with its status',
    async () => {
      const child =
        "process.on('SIGTERM', () => { console.log('child stopped'); process.exit(42) }); console.log('child ready'); setInterval(() => {}, 1000)"
      const run = runCli(['exec', ...auth(), '--', process.execPath, '-e', child], {
        [KEY_ENV]: h.acmeKey,
      })
      await run.output(/child ready/)
      run.child.kill('SIGTERM')
      expect(await run.exited).toBe(42)
      expect(run.stdout()).toContain('child stopped')
    },
    CHILD_PROCESS_TIMEOUT_MS,
  )
})
