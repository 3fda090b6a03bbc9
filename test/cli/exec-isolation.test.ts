import { spawn } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startAgent } from '../../functions/node/cli/agent.ts'
import {
  childEnv,
  childEnvShellLines,
  SHADOWING_VARIABLES,
} from '../../functions/node/cli/child-env.ts'
import { killCliChildren, runCli } from '../helpers/cli.ts'
import { CHILD_PROCESS_TIMEOUT_MS } from '../helpers/timeouts.ts'
import { startServedVendHarness } from '../helpers/served-vend-harness.ts'
import type { VendHarness } from '../helpers/vend-harness.ts'

const require = createRequire(import.meta.url)

/**
 * The child: the official @alicloud/credentials default chain, unconfigured, as an application
 * would use it. It prints which providers the chain holds and what it got. It refuses any
 * connection beyond loopback itself, because a broken isolation would send it to the ECS
 * metadata service or STS, and this runs outside the test worker's own guard.
 */
const OFFICIAL_CHILD = `
const net = require('node:net')
const connect = net.Socket.prototype.connect
net.Socket.prototype.connect = function (...args) {
  const o = Array.isArray(args[0]) ? args[0][0] : args[0]
  const host = typeof o === 'object' && o !== null ? (o.path ? 'localhost' : o.host || 'localhost') : args[1] || 'localhost'
  if (!/^(127\\.|localhost$|::1$)/.test(host)) {
    process.nextTick(() => this.destroy(new Error('beyond loopback: ' + host)))
    return this
  }
  return connect.apply(this, args)
}
const { default: Credential, DefaultCredentialsProvider } = require('@alicloud/credentials')
const chain = DefaultCredentialsProvider.builder().build().providers.map((p) => p.getProviderName())
new Credential().getCredential().then(
  (c) => console.log(JSON.stringify({ chain, accessKeyId: c.accessKeyId, provider: c.providerName })),
  (e) => console.log(JSON.stringify({ chain, error: e.message })),
)
`

interface ChildSaw {
  readonly chain: string[]
  readonly accessKeyId?: string
  readonly provider?: string
  readonly error?: string
}

const parseChild = (out: string): ChildSaw => JSON.parse(out.trim().split('\n').at(-1)!)

/** Runs `command` with exactly `env`, in the repository (where the child resolves the SDK). */
const run = (command: string, args: string[], env: NodeJS.ProcessEnv) =>
  new Promise<{ code: number | null; out: string; err: string }>((resolve, reject) => {
    const child = spawn(command, args, { env, cwd: process.cwd() })
    let out = ''
    let err = ''
    child.stdout.on('data', (d) => (out += d))
    child.stderr.on('data', (d) => (err += d))
    child.on('error', reject)
    child.on('exit', (code) => resolve({ code, out, err }))
  })

const officialChild = async (env: NodeJS.ProcessEnv) => {
  const result = await run(process.execPath, ['-e', OFFICIAL_CHILD], env)
  expect(result.code, result.err).toBe(0)
  return parseChild(result.out)
}

const PLANTED = {
  env: 'LTAIplantedInEnvironment',
  cliProfile: 'LTAIplantedInAliyunConfig',
  ini: 'LTAIplantedInCredentialsIni',
  iniElsewhere: 'LTAIplantedInCredentialsFile',
}

let h: VendHarness
let served: Awaited<ReturnType<typeof startServedVendHarness>>
let url: string
let home: string
let work: string
const KEY_ENV = 'CREDVEND_TEST_API_KEY'

/** A developer's home: an aliyun CLI profile and an INI default profile, each with its own key. */
const plantHome = (dir: string) => {
  mkdirSync(join(dir, '.aliyun'), { recursive: true })
  writeFileSync(
    join(dir, '.aliyun', 'config.json'),
    JSON.stringify({
      current: 'dev',
      profiles: [
        {
          name: 'dev',
          mode: 'AK',
          access_key_id: PLANTED.cliProfile,
          access_key_secret: 'planted-cli-secret',
          region_id: 'cn-hangzhou',
        },
      ],
    }),
  )
  mkdirSync(join(dir, '.alibabacloud'), { recursive: true })
  writeFileSync(
    join(dir, '.alibabacloud', 'credentials'),
    `[default]\ntype = access_key\naccess_key_id = ${PLANTED.ini}\naccess_key_secret = planted-ini-secret\n`,
  )
}

/** The variables every child needs that have nothing to do with credentials. */
const baseEnv = (): NodeJS.ProcessEnv => ({ PATH: process.env.PATH, HOME: home })

beforeAll(async () => {
  served = await startServedVendHarness()
  ;({ h, url } = served)
  work = mkdtempSync(join(tmpdir(), 'credvend-isolation-'))
  home = join(work, 'home')
  plantHome(home)
  writeFileSync(
    join(work, 'elsewhere.ini'),
    `[default]\ntype = access_key\naccess_key_id = ${PLANTED.iniElsewhere}\naccess_key_secret = planted-secret\n`,
  )
  writeFileSync(join(work, 'neutral'), '')
})
afterAll(async () => {
  killCliChildren()
  await served.close()
  rmSync(work, { recursive: true, force: true })
})

describe('childEnv', () => {
  const parent: NodeJS.ProcessEnv = {
    PATH: '/usr/bin',
    HOME: '/home/dev',
    LANG: 'C.UTF-8',
    ALIBABA_CLOUD_REGION_ID: 'cn-shanghai',
    ALIBABA_CLOUD_CREDENTIALS_FILE: '/home/dev/other.ini',
    ...Object.fromEntries(SHADOWING_VARIABLES.map((name) => [name, `parent-${name}`])),
  }

  it('drops every variable that supplies or selects an earlier source, and keeps the rest', () => {
    const env = childEnv(parent, '/tmp/x/credentials', { ALIBABA_CLOUD_CREDENTIALS_URI: 'u' })
    expect(env).toEqual({
      PATH: '/usr/bin',
      HOME: '/home/dev',
      LANG: 'C.UTF-8',
      ALIBABA_CLOUD_REGION_ID: 'cn-shanghai',
      ALIBABA_CLOUD_CLI_PROFILE_DISABLED: 'true',
      ALIBABA_CLOUD_ECS_METADATA_DISABLED: 'true',
      ALIBABA_CLOUD_CREDENTIALS_FILE: '/tmp/x/credentials',
      ALIBABA_CLOUD_CREDENTIALS_URI: 'u',
    })
    expect(parent.ALIBABA_CLOUD_ACCESS_KEY_ID).toBe('parent-ALIBABA_CLOUD_ACCESS_KEY_ID')
  })

  it('names every source variable the official package reads', () => {
    const dist = dirname(require.resolve('@alicloud/credentials'))
    const read = ['env', 'oidc_role_arn', 'cli_profile', 'profile', 'ecs_ram_role', 'uri']
      .map((p) => readFileSync(join(dist, 'providers', `${p}.js`), 'utf8'))
      .join('\n')
    const names = new Set(read.match(/ALIBABA_CLOUD_[A-Z0-9_]+/g))
    const handled = new Set<string>([
      ...SHADOWING_VARIABLES,
      ...Object.keys(childEnv({}, 'f', {})),
      // Not sources: endpoint and transport settings of the STS-calling providers.
      'ALIBABA_CLOUD_STS_REGION',
      'ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED',
      'ALIBABA_CLOUD_IMDSV1_DISABLED',
    ])
    expect([...names].filter((n) => !handled.has(n))).toEqual([])
  })

  it('gives an access-key profile its variables, which no parent value overrides', () => {
    const env = childEnv(parent, '/tmp/x/credentials', {
      ALIBABA_CLOUD_ACCESS_KEY_ID: 'vended-id',
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'vended-secret',
    })
    expect([env.ALIBABA_CLOUD_ACCESS_KEY_ID, env.ALIBABA_CLOUD_ACCESS_KEY_SECRET]).toEqual([
      'vended-id',
      'vended-secret',
    ])
    expect(env.ALIBABA_CLOUD_SECURITY_TOKEN).toBeUndefined()
    expect(env.ALIBABA_CLOUD_CREDENTIALS_URI).toBeUndefined()
  })

  it('prints the same environment as shell lines, quoted', () => {
    expect(
      childEnvShellLines("/tmp/it's/credentials", { ALIBABA_CLOUD_CREDENTIALS_URI: 'http://u' }),
    ).toEqual([
      `unset ${SHADOWING_VARIABLES.join(' ')}`,
      "export ALIBABA_CLOUD_CLI_PROFILE_DISABLED='true'",
      "export ALIBABA_CLOUD_ECS_METADATA_DISABLED='true'",
      `export ALIBABA_CLOUD_CREDENTIALS_FILE='/tmp/it'\\''s/credentials'`,
      "export ALIBABA_CLOUD_CREDENTIALS_URI='http://u'",
    ])
  })
})

describe('the official default chain in a child', () => {
  /** Each source a developer's machine may have, alone, with what it hands the SDK. */
  const sources: Array<{ name: string; env: NodeJS.ProcessEnv; provider: string; key?: string }> = [
    {
      name: 'AccessKey variables',
      env: {
        ALIBABA_CLOUD_ACCESS_KEY_ID: PLANTED.env,
        ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'planted-env-secret',
      },
      provider: 'env',
      key: PLANTED.env,
    },
    { name: '~/.aliyun/config.json', env: {}, provider: 'cli_profile', key: PLANTED.cliProfile },
    {
      name: '~/.alibabacloud/credentials',
      env: { ALIBABA_CLOUD_CLI_PROFILE_DISABLED: 'true' },
      provider: 'profile',
      key: PLANTED.ini,
    },
    {
      name: 'ALIBABA_CLOUD_CREDENTIALS_FILE',
      env: {
        ALIBABA_CLOUD_CLI_PROFILE_DISABLED: 'true',
        ALIBABA_CLOUD_CREDENTIALS_FILE: '', // set per run
      },
      provider: 'profile',
      key: PLANTED.iniElsewhere,
    },
    {
      name: 'workload OIDC variables',
      env: {
        ALIBABA_CLOUD_ROLE_ARN: 'acs:ram::1234567890123456:role/developer',
        ALIBABA_CLOUD_OIDC_PROVIDER_ARN: 'acs:ram::1234567890123456:oidc-provider/dev',
        ALIBABA_CLOUD_OIDC_TOKEN_FILE: '/nonexistent/token',
      },
      provider: 'oidc_role_arn',
    },
    { name: 'the ECS instance role', env: {}, provider: 'ecs_ram_role' },
  ]

  it(
    'each planted source shadows the credentials URI on its own, and with the child environment none does',
    async () => {
      const agent = await startAgent({
        url,
        profiles: ['svc'],
        bearer: async () => h.acmeKey,
        now: h.emulator.now,
      })
      const uri = { ALIBABA_CLOUD_CREDENTIALS_URI: agent.uris.get('svc')! }
      try {
        for (const source of sources) {
          const env = { ...source.env }
          if ('ALIBABA_CLOUD_CREDENTIALS_FILE' in env)
            env.ALIBABA_CLOUD_CREDENTIALS_FILE = join(work, 'elsewhere.ini')
          // The control: the parent's environment plus the URI, as before isolation.
          const asBefore = await officialChild({ ...baseEnv(), ...env, ...uri })
          const before = asBefore.chain.indexOf(source.provider)
          expect(before, source.name).toBeGreaterThanOrEqual(0)
          expect(before, source.name).toBeLessThan(asBefore.chain.indexOf('credential_uri'))
          // Only keys that can be reached on loopback are fetched: OIDC and IMDS stay in the chain list.
          if (source.key && source.provider !== 'ecs_ram_role')
            expect(asBefore.accessKeyId, source.name).toBe(source.key)
        }

        const everything = Object.assign({}, ...sources.map((s) => s.env)) as NodeJS.ProcessEnv
        everything.ALIBABA_CLOUD_CREDENTIALS_FILE = join(work, 'elsewhere.ini')
        delete everything.ALIBABA_CLOUD_CLI_PROFILE_DISABLED // the child environment must set it
        const isolated = await officialChild(
          childEnv({ ...baseEnv(), ...everything }, join(work, 'neutral'), uri),
        )
        expect(isolated.chain).toEqual(['env', 'profile', 'credential_uri'])
        expect(isolated.provider).toBe('default/credential_uri')
        expect(isolated.accessKeyId).toMatch(/^STS\./)
        expect(h.emulator.world.findSession(isolated.accessKeyId!)!.sessionName).toBe('key.acme')
      } finally {
        await agent.close()
      }
    },
    CHILD_PROCESS_TIMEOUT_MS,
  )
})

describe('credvend exec', () => {
  it(
    "hands the official SDK credvend's credentials, not the developer's planted key, CLI profile or INI file",
    async () => {
      const result = runCli(
        [
          'exec',
          ...['--url', url, '--profile', 'svc', '--api-key-env', KEY_ENV],
          '--',
          process.execPath,
          '-e',
          OFFICIAL_CHILD,
        ],
        {
          [KEY_ENV]: h.acmeKey,
          HOME: home,
          ALIBABA_CLOUD_ACCESS_KEY_ID: PLANTED.env,
          ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'planted-env-secret',
          // The test worker sets this for itself; exec must set it on its own.
          ALIBABA_CLOUD_ECS_METADATA_DISABLED: undefined,
          ALIBABA_CLOUD_CLI_PROFILE_DISABLED: undefined,
        },
      )
      expect(await result.exited, result.stderr()).toBe(0)
      const saw = parseChild(result.stdout())
      expect(saw.provider).toBe('default/credential_uri')
      expect(saw.accessKeyId).toMatch(/^STS\./)
      expect(Object.values(PLANTED)).not.toContain(saw.accessKeyId)
      expect(h.emulator.world.findSession(saw.accessKeyId!)!.sessionName).toBe('key.acme')
    },
    CHILD_PROCESS_TIMEOUT_MS,
  )
})

describe('credvend agent', () => {
  it(
    'prints lines that give a program started by hand in a shell only the URI, and removes its empty file when stopped',
    async () => {
      const agent = runCli(['agent', '--url', url, '--profile', 'svc', '--api-key-env', KEY_ENV], {
        [KEY_ENV]: h.acmeKey,
        HOME: home,
      })
      const [block] = await agent.output(
        /# profile svc:[^\n]*\n(?:(?:unset|export) [^\n]*\n)*export ALIBABA_CLOUD_CREDENTIALS_URI=[^\n]*\n/,
      )
      const lines = block.trimEnd().split('\n').slice(1)
      const file = /^export ALIBABA_CLOUD_CREDENTIALS_FILE='([^']+)'$/m.exec(block)![1]!
      expect(readFileSync(file, 'utf8')).toBe('')

      const shell = await run(
        '/bin/sh',
        ['-c', `${lines.join('\n')}\nexec "$@"`, 'sh', process.execPath, '-e', OFFICIAL_CHILD],
        {
          ...baseEnv(),
          ALIBABA_CLOUD_ACCESS_KEY_ID: PLANTED.env,
          ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'planted-env-secret',
          ALIBABA_CLOUD_PROFILE: 'dev',
        },
      )
      expect(shell.code, shell.err).toBe(0)
      const saw = parseChild(shell.out)
      expect(saw.chain).toEqual(['env', 'profile', 'credential_uri'])
      expect(saw.provider).toBe('default/credential_uri')
      expect(h.emulator.world.findSession(saw.accessKeyId!)!.sessionName).toBe('key.acme')

      agent.child.kill('SIGTERM')
      expect(await agent.exited).toBe(0)
      expect(existsSync(dirname(file))).toBe(false)
    },
    CHILD_PROCESS_TIMEOUT_MS,
  )
})
