import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { maskAccessKeyId } from '../../lib/credentials/mask-access-key-id.ts'
import { killCliChildren, runCli } from '../helpers/cli.ts'
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.ts'
import { freePort } from '../helpers/free-port.ts'
import { CHILD_PROCESS_TIMEOUT_MS } from '../helpers/timeouts.ts'

let emu: TestEmulator
let dir: string
const CHECKS = ['source', 'identity', 'config', 'sts-endpoint', 'clock-skew', 'kms-endpoint']
/** A developer's own key in a planted ~/.aliyun/config.json: it must never be printed either. */
const CLI_KEY_ID = 'LTAI5tDeveloperOwnKey0042'
const CLI_SECRET = 'developer-own-secret-never-printed'

/** A HOME of its own for each run, so no real ~/.aliyun or ~/.alibabacloud is ever read. */
const freshHome = (cliConfig?: object) => {
  const home = mkdtempSync(join(dir, 'home-'))
  if (cliConfig) {
    mkdirSync(join(home, '.aliyun'))
    writeFileSync(join(home, '.aliyun', 'config.json'), JSON.stringify(cliConfig))
  }
  return home
}

/** credvend's identity from the environment (the demo RAM user); metadata off, so nothing leaves loopback. */
const identityEnv = (home: string) => ({
  ALIBABA_CLOUD_ACCESS_KEY_ID: emu.demo.vendor.accessKeyId,
  ALIBABA_CLOUD_ACCESS_KEY_SECRET: emu.demo.vendor.accessKeySecret,
  ALIBABA_CLOUD_ECS_METADATA_DISABLED: 'true',
  HOME: home,
})

const writeConfig = (name: string, overrides: Record<string, unknown> = {}) => {
  const path = join(dir, `${name}.json`)
  writeFileSync(
    path,
    JSON.stringify({
      region: 'cn-hangzhou',
      sts: { endpoint: emu.stsEndpoint },
      kms: { endpoint: emu.kmsEndpoint },
      callers: { apiKeys: [{ id: 'acme', sha256: ['a'.repeat(64)] }] },
      profiles: {
        app: { kind: 'sts', allow: [{ apiKey: 'acme' }], roleArn: emu.demo.appRole.arn },
      },
      ...overrides,
    }),
  )
  return path
}

/** Whatever the machine running the tests has set, each run sees only what its test sets. */
const UNSET = Object.fromEntries(
  Object.keys(process.env)
    .filter((name) => name.startsWith('ALIBABA_CLOUD_'))
    .map((name) => [name, undefined]),
)

/**
 * Doctor's default 3 s per call is for real networks; on a loaded CI machine the loopback
 * emulator can take longer than that. A run that hangs still ends at the test's timeout.
 */
const GENEROUS_TIMEOUT = ['--timeout-ms', '60000']

const doctor = async (args: string[], env: Record<string, string>) => {
  const timeout = args.includes('--timeout-ms') ? [] : GENEROUS_TIMEOUT
  const cli = runCli(['doctor', ...timeout, ...args], { ...UNSET, ...env })
  const code = await cli.exited
  const out = cli.stdout()
  const err = cli.stderr()
  // Whatever else a run shows, it never shows a secret or a whole AccessKeyId.
  for (const secret of [
    emu.demo.vendor.accessKeySecret,
    emu.demo.vendor.accessKeyId,
    CLI_SECRET,
    CLI_KEY_ID,
  ]) {
    expect(out).not.toContain(secret)
    expect(err).not.toContain(secret)
  }
  expect(err).not.toMatch(/\n\s+at /)
  return { code, out, err }
}

type Report = {
  ok: boolean
  checks: Array<{ name: string; status: string; detail: string; fix: string | null }>
  sources: Array<{ source: string; state: string; detail: string }>
}
const check = (report: Report, name: string) => report.checks.find((c) => c.name === name)!

beforeAll(async () => {
  emu = await startTestEmulator()
  dir = mkdtempSync(join(tmpdir(), 'credvend-doctor-'))
})
afterEach(() => emu.clearFaults())
afterAll(async () => {
  killCliChildren()
  await emu.close()
})

describe('credvend doctor', () => {
  it(
    'on a healthy host: exits 0, names the source, prints the identity, and the JSON has every check',
    async () => {
      const config = writeConfig('healthy')
      const env = identityEnv(freshHome())
      const [text, json] = await Promise.all([
        doctor(['--config', config], env),
        doctor(['--config', config, '--json'], env),
      ])

      expect(text.code, text.out + text.err).toBe(0)
      expect(text.out).toMatch(
        new RegExp(
          `^ok +identity +account ${emu.demo.accountId}: ${emu.demo.vendorArn} \\(RAMUser\\), from env$`,
          'm',
        ),
      )
      expect(text.out).toMatch(/^ok +source +env: ALIBABA_CLOUD_ACCESS_KEY_ID is set/m)
      expect(text.out).toContain(maskAccessKeyId(emu.demo.vendor.accessKeyId))
      expect(text.out).toContain('nothing to fix')

      expect(json.code).toBe(0)
      const report = JSON.parse(json.out) as Report
      expect(report.ok).toBe(true)
      expect(report.checks.map((c) => c.name).sort()).toEqual([...CHECKS].sort())
      for (const c of report.checks) {
        expect(['ok', 'warn', 'fail', 'skipped']).toContain(c.status)
        expect(typeof c.detail).toBe('string')
        expect(c.fix === null || typeof c.fix === 'string').toBe(true)
      }
      expect(report.checks.filter((c) => c.status !== 'ok')).toEqual([])
      expect(report.sources.find((s) => s.source === 'env')?.state).toBe('present')
    },
    CHILD_PROCESS_TIMEOUT_MS,
  )

  it(
    'reports the CLI profile the environment AccessKey shadows, and prints neither key',
    async () => {
      const home = freshHome({
        current: 'default',
        profiles: [
          {
            name: 'default',
            mode: 'AK',
            access_key_id: CLI_KEY_ID,
            access_key_secret: CLI_SECRET,
          },
        ],
      })
      const config = writeConfig('shadowed')
      const [text, json] = await Promise.all([
        doctor(['--config', config], identityEnv(home)),
        doctor(['--config', config, '--json'], identityEnv(home)),
      ])
      // A warning, not a failure: credvend still has a working identity.
      expect(text.code, text.out + text.err).toBe(0)
      expect(text.out).toContain(
        "ALIBABA_CLOUD_ACCESS_KEY_ID is set, so your ~/.aliyun/config.json profile 'default' is never read",
      )
      expect(text.out).toMatch(/^warn +source/m)
      expect(text.out).toMatch(/^ {2}source: to use your ~\/\.aliyun\/config\.json profile/m)
      const report = JSON.parse(json.out) as Report
      expect(check(report, 'source').status).toBe('warn')
      expect(report.sources.find((s) => s.source === 'cli-profile')).toMatchObject({
        state: 'present',
        detail: expect.stringContaining(`mode AK`),
      })
      expect(json.out).toContain(maskAccessKeyId(CLI_KEY_ID))
    },
    CHILD_PROCESS_TIMEOUT_MS,
  )

  it(
    'exits 3 when STS does not answer, and skips what needs it',
    async () => {
      const closed = await freePort()
      const config = writeConfig('unreachable', {
        sts: { endpoint: `http://127.0.0.1:${closed}` },
      })
      const { code, out } = await doctor(['--config', config, '--json'], identityEnv(freshHome()))
      expect(code).toBe(3)
      const report = JSON.parse(out) as Report
      expect(report.ok).toBe(false)
      expect(check(report, 'sts-endpoint')).toMatchObject({
        status: 'fail',
        detail: expect.stringContaining(`http://127.0.0.1:${closed}`),
        fix: expect.stringContaining('reachable'),
      })
      expect(check(report, 'identity').status).toBe('skipped')
      expect(check(report, 'clock-skew').status).toBe('skipped')
      expect(check(report, 'config').status).toBe('ok')
    },
    CHILD_PROCESS_TIMEOUT_MS,
  )

  it(
    'exits 1 for a config that does not load (named by CREDVEND_CONFIG), one line per problem',
    async () => {
      const config = writeConfig('bad', { region: 'Hangzhou', cache: { maxEntries: 0 } })
      const env = {
        ...identityEnv(freshHome()),
        CREDVEND_CONFIG: config,
        // The config is refused, so its STS endpoint is not taken: name the emulator.
        ALIBABA_CLOUD_STS_ENDPOINT: emu.stsEndpoint,
      }
      const [text, json] = await Promise.all([doctor([], env), doctor(['--json'], env)])
      expect(text.code, text.out + text.err).toBe(1)
      expect(text.out).toMatch(/^FAIL +config +.*bad\.json: 2 problem\(s\):$/m)
      expect(text.out).toMatch(/^ +region\b.*$/m)
      expect(text.out).toMatch(/^ +cache\.maxEntries\b.*$/m)
      expect(text.out).toMatch(/^ {2}config: fix each problem in /m)
      const report = JSON.parse(json.out) as Report
      expect(json.code).toBe(1)
      expect(check(report, 'config').status).toBe('fail')
      // Everything that does not need the config still ran.
      expect(check(report, 'identity').status).toBe('ok')
    },
    CHILD_PROCESS_TIMEOUT_MS,
  )

  it(
    "fails the clock check when STS's clock is 20 minutes ahead, and still finds the identity",
    async () => {
      emu.setFaultMode({ skewMs: 20 * 60_000 })
      const { code, out } = await doctor(
        ['--config', writeConfig('skewed'), '--json'],
        identityEnv(freshHome()),
      )
      expect(code).toBe(1)
      const report = JSON.parse(out) as Report
      const skew = check(report, 'clock-skew')
      expect(skew).toMatchObject({ status: 'fail', fix: expect.stringContaining('NTP') })
      // The estimate is off by up to half the probe's round trip, however slow the machine was.
      const [, seconds] = /^this host's clock is (\d+) s behind STS's/.exec(skew.detail) ?? []
      expect(Number(seconds)).toBeGreaterThanOrEqual(1150)
      expect(Number(seconds)).toBeLessThanOrEqual(1250)
      // STS refused the first timestamp; the client learned STS's clock and the retry passed.
      expect(check(report, 'identity').status).toBe('ok')
    },
    CHILD_PROCESS_TIMEOUT_MS,
  )

  it(
    "exits 1 when STS refuses the source's key, naming STS's code and never the secret",
    async () => {
      const wrong = 'a-wrong-secret-that-is-never-printed'
      const { code, out, err } = await doctor(['--config', writeConfig('wrong-key'), '--json'], {
        ...identityEnv(freshHome()),
        ALIBABA_CLOUD_ACCESS_KEY_SECRET: wrong,
      })
      expect(code).toBe(1)
      expect(`${out}${err}`).not.toContain(wrong)
      // STS's own message (the emulator's quotes its string to sign) is an upstream payload: never shown.
      expect(`${out}${err}`).not.toContain('string to sign')
      const report = JSON.parse(out) as Report
      expect(check(report, 'source').status).toBe('ok')
      expect(check(report, 'identity')).toMatchObject({
        status: 'fail',
        detail: expect.stringMatching(
          /^ERR_STS_SOURCE_CREDENTIALS: .*\(STS SignatureDoesNotMatch\)$/,
        ),
        fix: expect.stringContaining('replace it'),
      })
    },
    CHILD_PROCESS_TIMEOUT_MS,
  )

  it(
    'refuses a bad --timeout-ms and a config file it cannot read as usage errors',
    async () => {
      const home = freshHome()
      const [timeout, missing] = await Promise.all([
        doctor(['--timeout-ms', 'soon'], identityEnv(home)),
        doctor(['--config', join(dir, 'no-such.json')], identityEnv(home)),
      ])
      expect(timeout.code).toBe(2)
      expect(timeout.err).toContain('--timeout-ms')
      expect(missing.code).toBe(2)
      expect(missing.err).toContain('cannot read')
    },
    CHILD_PROCESS_TIMEOUT_MS,
  )
})
