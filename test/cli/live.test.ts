import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { LIVE_ENV, REQUIRED_LIVE_ENV } from '../../functions/node/tools/live/live-target.ts'
import {
  livePermissionPolicy,
  liveTrustPolicy,
} from '../../functions/node/tools/live/live-trust-policy.ts'
import { policyOfBytes } from '../../functions/node/tools/live/limit-cases.ts'
import { LIVE_CASES } from '../../functions/node/tools/live/run-live-cases.ts'
import { DEMO_RAM_SECRET } from '../../functions/node/cli/local/local-emulator.ts'
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.ts'
import { CHILD_PROCESS_TIMEOUT_MS } from '../helpers/timeouts.ts'

const root = fileURLToPath(new URL('../..', import.meta.url))
const EXTERNAL_ID = 'cv-live-test-external-id-0123456789'

/**
 * Runs `npm run test:live`'s entry as the script does (tsx), with exactly `env` and nothing of
 * this process's environment, so no stray ALIBABA_CLOUD_* variable can leak in. The loopback guard
 * the test suite runs under is preloaded into the child too: whatever it does, it stays here.
 */
const runLive = (env: Record<string, string>) =>
  new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        '--import',
        './test/setup/loopback-only.ts',
        'functions/node/tools/live.ts',
      ],
      {
        cwd: root,
        env: { PATH: process.env.PATH ?? '', ...env },
      },
    )
    let out = ''
    let err = ''
    child.stdout.on('data', (d) => (out += d))
    child.stderr.on('data', (d) => (err += d))
    child.on('exit', (code) => resolve({ code, out, err }))
  })

const lineOf = (out: string, id: string) =>
  out.split('\n').find((l) => l.startsWith(`${id}: `)) ?? `(no line for ${id})`

describe('npm run test:live without what it needs', { timeout: CHILD_PROCESS_TIMEOUT_MS }, () => {
  let server: Server
  let connections = 0
  let url: string

  beforeAll(async () => {
    server = createServer((_req, res) => res.end('{}')).on('connection', () => connections++)
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done))
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })
  afterAll(() => new Promise<void>((done) => server.close(() => done())))

  it('explains every variable and the role it needs, exits 2, and sends nothing', async () => {
    const run = await runLive({ [LIVE_ENV.stsEndpoint]: url, [LIVE_ENV.kmsEndpoint]: url })

    expect(run.code).toBe(2)
    for (const name of Object.values(LIVE_ENV)) expect(run.err).toContain(name)
    expect(run.err).toContain(
      `Not run, nothing was sent: ${REQUIRED_LIVE_ENV.join(', ')} are not set.`,
    )
    expect(run.err).toContain('"sts:ExternalId": "<CREDVEND_LIVE_EXTERNAL_ID>"')
    expect(run.err).toMatch(/AssumeRole and read-only calls only/)
    expect(run.out).toBe('')
    expect(connections).toBe(0)
  })

  it('refuses a partial or malformed setup the same way, naming what is wrong', async () => {
    const run = await runLive({
      [LIVE_ENV.accessKeyId]: 'LTAI5tNotARealKey00000000',
      [LIVE_ENV.accessKeySecret]: 'not-a-real-secret-000000',
      [LIVE_ENV.roleArn]: 'role/no-account',
      [LIVE_ENV.stsEndpoint]: url,
      [LIVE_ENV.kmsEndpoint]: 'http://kms.example.com',
    })

    expect(run.code).toBe(2)
    expect(run.err).toContain('CREDVEND_LIVE_EXTERNAL_ID is not set.')
    expect(run.err).toContain(
      'CREDVEND_LIVE_ROLE_ARN must look like acs:ram::<account id>:role/<role name>',
    )
    expect(run.err).toContain('CREDVEND_LIVE_KMS_ENDPOINT must be an https:// origin')
    expect(run.err).not.toContain('not-a-real-secret')
    expect(connections).toBe(0)
  })
})

describe('npm run test:live against the local emulator', () => {
  let emu: TestEmulator
  const role = (name: string, options: { externalId: boolean; maxSessionDuration: number }) => {
    const arn = `acs:ram::${emu.demo.accountId}:role/${name}`
    const trust = liveTrustPolicy(emu.demo.vendorArn, arn, EXTERNAL_ID)
    if (!options.externalId) delete (trust.Statement[0] as { Condition?: unknown }).Condition
    emu.world.createRole(emu.demo.accountId, name, {
      trustPolicy: trust,
      policies: [livePermissionPolicy(arn)],
      maxSessionDuration: options.maxSessionDuration,
    })
    return arn
  }
  const envFor = (roleArn: string, kmsSecret?: string) => ({
    [LIVE_ENV.accessKeyId]: emu.demo.vendor.accessKeyId,
    [LIVE_ENV.accessKeySecret]: emu.demo.vendor.accessKeySecret,
    [LIVE_ENV.roleArn]: roleArn,
    [LIVE_ENV.externalId]: EXTERNAL_ID,
    [LIVE_ENV.stsEndpoint]: emu.stsEndpoint,
    [LIVE_ENV.kmsEndpoint]: emu.kmsEndpoint,
    ...(kmsSecret ? { [LIVE_ENV.kmsSecret]: kmsSecret } : {}),
  })
  const expectNoSecretIn = (text: string) => {
    for (const secret of [EXTERNAL_ID, ...emu.world.issuedSecrets()])
      expect(text).not.toContain(secret)
  }

  beforeAll(async () => {
    emu = await startTestEmulator()
  })
  afterAll(() => emu.close())

  it('names a real faithfulness-table row in every case, and builds policies of the exact size', () => {
    const readme = readFileSync(new URL('../../lib/emulator/README.md', import.meta.url), 'utf8')
    const rows = readme
      .split('\n')
      .filter((l) => l.startsWith('| '))
      .map((l) => l.split('|')[1]!)
    for (const c of LIVE_CASES)
      expect(
        rows.some((r) => r.includes(c.row)),
        c.row,
      ).toBe(true)
    expect(new Set(LIVE_CASES.map((c) => c.id)).size).toBe(LIVE_CASES.length)
    expect(new TextEncoder().encode(policyOfBytes(2047)).length).toBe(2047)
    expect(new TextEncoder().encode(policyOfBytes(2048)).length).toBe(2048)
  })

  it(
    'reports every case as holding, with a rotated RAMCredentials secret, and exits 0',
    async () => {
      const roleArn = role('credvend-live', { externalId: true, maxSessionDuration: 7200 })
      emu.kms.secrets.rotate(emu.erpSecret)
      const before = emu.calls.received
      const run = await runLive(envFor(roleArn, DEMO_RAM_SECRET))

      expect(run.code, `${run.out}${run.err}`).toBe(0)
      for (const c of LIVE_CASES)
        expect(lineOf(run.out, c.id)).toMatch(/^\S+: holds \(.+\) — row: /)
      expect(lineOf(run.out, 'session-name/33-chars')).toContain('holds (accepted)')
      expect(lineOf(run.out, 'role-chaining/7200-s')).toContain(
        'holds (refused with InvalidParameter.DurationSeconds (HTTP 400))',
      )
      expect(run.out).toContain(
        `${LIVE_CASES.length} cases: ${LIVE_CASES.length} hold, 0 differ, 0 skipped, 0 got no answer`,
      )
      expect(emu.calls.received - before).toBeGreaterThanOrEqual(16)
      expectNoSecretIn(run.out + run.err)
    },
    CHILD_PROCESS_TIMEOUT_MS,
  )

  it(
    'says differs when the role ignores the ExternalId, skips what it cannot settle, and exits 1',
    async () => {
      const roleArn = role('credvend-live-open', { externalId: false, maxSessionDuration: 3600 })
      const run = await runLive(envFor(roleArn))

      expect(run.code, `${run.out}${run.err}`).toBe(1)
      expect(lineOf(run.out, 'external-id/absent')).toMatch(
        /^external-id\/absent: differs: accepted, where the emulator assumes refused with NoPermission \(HTTP 403\) — row: Missing or wrong ExternalId/,
      )
      expect(lineOf(run.out, 'external-id/wrong')).toMatch(/: differs: accepted, /)
      expect(lineOf(run.out, 'external-id/right')).toMatch(/: holds \(accepted\)/)
      expect(lineOf(run.out, 'kms/acs3-hmac-sha256')).toMatch(
        /: skipped: CREDVEND_LIVE_KMS_SECRET is not set — row: /,
      )
      expect(lineOf(run.out, 'role-chaining/7200-s')).toMatch(
        /: skipped: a direct 7200-s AssumeRole was refused with InvalidParameter\.DurationSeconds/,
      )
      expect(run.out).toMatch(/2 differ, 4 skipped, 0 got no answer/)
      expectNoSecretIn(run.out + run.err)
    },
    CHILD_PROCESS_TIMEOUT_MS,
  )

  it(
    'says differs when a rotated-out key stops working at once, and skips a secret that never rotated',
    async () => {
      const roleArn = role('credvend-live-rotation', { externalId: true, maxSessionDuration: 7200 })
      const keyUser = (name: string) => emu.world.createUser(emu.demo.accountId, name)
      const noOverlap = emu.kms.secrets.createRamSecret(emu.demo.accountId, 'live-no-overlap', {
        user: keyUser('live-no-overlap-user'),
        overlapSeconds: 0,
      })
      emu.kms.secrets.rotate(noOverlap)
      emu.kms.secrets.createRamSecret(emu.demo.accountId, 'live-never-rotated', {
        user: keyUser('live-never-rotated-user'),
      })
      const [rotated, fresh] = await Promise.all([
        runLive(envFor(roleArn, 'live-no-overlap')),
        runLive(envFor(roleArn, 'live-never-rotated')),
      ])

      expect(rotated.code, `${rotated.out}${rotated.err}`).toBe(1)
      expect(lineOf(rotated.out, 'rotation/acs-previous')).toMatch(
        /: differs: the ACSPrevious key was refused with InvalidAccessKeyId\.NotFound \(HTTP 404\) 0\.0 h after the last rotation, where the emulator assumes it is accepted until the overlap ends/,
      )
      expect(rotated.out).toMatch(/1 differ, 0 skipped/)
      expect(fresh.code, `${fresh.out}${fresh.err}`).toBe(0)
      expect(lineOf(fresh.out, 'rotation/acs-previous')).toMatch(
        /: skipped: reading ACSPrevious was refused with Forbidden\.ResourceNotFound \(HTTP 404\): has the secret rotated yet\?/,
      )
      expectNoSecretIn(rotated.out + rotated.err + fresh.out + fresh.err)
    },
    CHILD_PROCESS_TIMEOUT_MS,
  )
})
