import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { renderTrustPolicy } from '../../lib/partners/trust-policy.ts'
import { DEMO_PARTNER_ACCOUNT_ID } from '../../lib/emulator/demo-world.ts'
import { killCliChildren, runCli } from '../helpers/cli.ts'
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.ts'
import { freePort } from '../helpers/free-port.ts'
import { CHILD_PROCESS_TIMEOUT_MS } from '../helpers/timeouts.ts'

let emu: TestEmulator
let dir: string
const EXTERNAL_ID = 'cv-the-right-external-id-0123456789'

/** The environment credvend's own identity comes from: the demo RAM user, through the env provider. */
const identityEnv = () => ({
  ALIBABA_CLOUD_ACCESS_KEY_ID: emu.demo.vendor.accessKeyId,
  ALIBABA_CLOUD_ACCESS_KEY_SECRET: emu.demo.vendor.accessKeySecret,
  ALIBABA_CLOUD_ECS_METADATA_DISABLED: 'true',
  HOME: dir,
})

const writeConfig = (
  profiles: Record<string, unknown>,
  apiKeys: unknown[] = [],
  stsEndpoint = emu.stsEndpoint,
) => {
  const path = join(dir, `config-${Object.keys(profiles).join('-')}.json`)
  writeFileSync(
    path,
    JSON.stringify({
      region: 'cn-hangzhou',
      sts: { endpoint: stsEndpoint },
      callers: { apiKeys: [{ id: 'acme', sha256: ['a'.repeat(64)] }, ...apiKeys] },
      sourcePrincipal: emu.demo.vendorArn,
      sessionNameKey: { env: 'NAME_KEY' },
      profiles,
    }),
  )
  return path
}

const partnerRole = (name: string, trust: unknown) =>
  emu.world.createRole(DEMO_PARTNER_ACCOUNT_ID, name, {
    trustPolicy: trust,
    policies: [
      { Version: '1', Statement: [{ Effect: 'Allow', Action: 'oss:GetObject', Resource: '*' }] },
    ],
  })

const profile = (roleArn: string, extra: Record<string, unknown> = {}) => ({
  kind: 'sts',
  allow: [{ apiKey: 'acme' }],
  roleArn,
  externalId: { env: 'PARTNER_EXTERNAL_ID' },
  sessionName: 'pseudonymous',
  durationSeconds: 900,
  ...extra,
})

const check = async (
  id: string,
  config: string,
  env: Record<string, string | undefined> = {},
  args: string[] = [],
) => {
  const cli = runCli(['partner', 'check', id, '--config', config, ...args], {
    ...identityEnv(),
    PARTNER_EXTERNAL_ID: EXTERNAL_ID,
    NAME_KEY: 'k'.repeat(32),
    ...env,
  })
  const code = await cli.exited
  return { code, out: cli.stdout(), err: cli.stderr() }
}

beforeAll(async () => {
  emu = await startTestEmulator()
  dir = mkdtempSync(join(tmpdir(), 'credvend-partner-'))
})
afterAll(async () => {
  killCliChildren()
  await emu.close()
})

describe('credvend partner check', () => {
  it(
    'passes for the golden trust policy, and fails with its reason when the condition is missing or names another value',
    async () => {
      // The reviewed golden file itself, its ExternalId reference resolved.
      const goldenFile = readFileSync(
        new URL(
          '../../infra/trust-policies/demo/2222222222222222-credvend-partner-demo.json',
          import.meta.url,
        ),
        'utf8',
      )
      const golden = partnerRole(
        'golden',
        JSON.parse(goldenFile.replace('{{env:CREDVEND_DEMO_EXTERNAL_ID}}', EXTERNAL_ID)),
      )
      const none = partnerRole('no-condition', renderTrustPolicy({ trusted: emu.demo.vendorArn }))
      const other = partnerRole(
        'other-value',
        renderTrustPolicy({
          trusted: emu.demo.vendorArn,
          externalId: 'cv-somebody-elses-external-id',
        }),
      )
      const config = writeConfig({
        golden: profile(golden.arn),
        none: profile(none.arn),
        other: profile(other.arn),
      })
      const [ok, missing, wrong] = await Promise.all([
        check('golden', config),
        check('none', config),
        check('other', config),
      ])

      expect(ok.code, ok.err).toBe(0)
      expect(ok.out).toMatch(
        /^ok {3}without ExternalId: refused: ERR_STS_DENIED \(NoPermission\)$/m,
      )
      expect(ok.out).toMatch(/^ok {3}with a wrong ExternalId: refused/m)
      expect(ok.out).toMatch(/^ok {3}with the configured ExternalId: assumed$/m)
      expect(ok.out).toContain('golden: safe to go live')

      expect(missing.code).toBe(1)
      expect(missing.out).toMatch(
        /^FAIL without ExternalId: ACCEPTED: the trust policy does not require sts:ExternalId/m,
      )
      expect(missing.out).toContain('NOT safe')

      expect(wrong.code).toBe(1)
      expect(wrong.out).toMatch(/^FAIL with the configured ExternalId: refused: ERR_STS_DENIED/m)
      expect(`${ok.out}${missing.out}${wrong.out}`).not.toContain(EXTERNAL_ID)
    },
    CHILD_PROCESS_TIMEOUT_MS,
  )

  it(
    'checks through a hub: the demo chain passes, a profile without an ExternalId fails',
    async () => {
      const config = writeConfig({
        chain: profile(emu.demo.partnerChainRole.arn, { via: [{ roleArn: emu.demo.hubRole.arn }] }),
        bare: { kind: 'sts', allow: [{ apiKey: 'acme' }], roleArn: emu.demo.appRole.arn },
      })
      const chain = await check('chain', config, { PARTNER_EXTERNAL_ID: emu.demo.externalId })
      expect(chain.code, chain.out + chain.err).toBe(0)
      const bare = await check('bare', config)
      expect(bare.code).toBe(1)
      expect(bare.out).toContain('the profile has no externalId')
    },
    CHILD_PROCESS_TIMEOUT_MS,
  )
})

describe('credvend partner check without STS', () => {
  it(
    'exits 3 with a network hint, not trust-policy advice, whether the role or the source needs STS',
    async () => {
      const closed = `http://127.0.0.1:${await freePort()}`
      const role = partnerRole(
        'never-reached',
        renderTrustPolicy({ trusted: emu.demo.vendorArn, externalId: EXTERNAL_ID }),
      )
      const config = writeConfig({ unreached: profile(role.arn) }, [], closed)
      // credvend's identity from a CLI profile that assumes a role: STS is needed before the check.
      const home = mkdtempSync(join(dir, 'home-'))
      mkdirSync(join(home, '.aliyun'))
      writeFileSync(
        join(home, '.aliyun', 'config.json'),
        JSON.stringify({
          current: 'deploy',
          profiles: [
            {
              name: 'deploy',
              mode: 'RamRoleArn',
              access_key_id: emu.demo.vendor.accessKeyId,
              access_key_secret: emu.demo.vendor.accessKeySecret,
              ram_role_arn: emu.demo.appRole.arn,
            },
          ],
        }),
      )
      const fromProfile = {
        ALIBABA_CLOUD_ACCESS_KEY_ID: undefined,
        ALIBABA_CLOUD_ACCESS_KEY_SECRET: undefined,
        HOME: home,
      }
      const [text, json, sourced] = await Promise.all([
        check('unreached', config),
        check('unreached', config, {}, ['--json']),
        check('unreached', config, fromProfile),
      ])

      expect(text.code, text.out + text.err).toBe(3)
      // The first call got no answer: it and nothing after it is reported, and no verdict on the policy.
      expect(text.out).toMatch(
        /^FAIL without ExternalId: not checked: STS did not answer AssumeRole on \S+: ERR_STS_UNAVAILABLE$/m,
      )
      expect(text.out).not.toContain('with a wrong ExternalId')
      expect(text.out).toContain(`unreached: not checked — STS at ${closed} did not answer`)
      expect(text.out).toContain('check the network path')
      expect(text.out).not.toMatch(/NOT safe|inconclusive|fix the role's trust policy/)

      expect(json.code).toBe(3)
      expect(JSON.parse(json.out)).toMatchObject({
        ok: false,
        unreachable: true,
        partner: 'unreached',
      })

      // The RamRoleArn profile's AssumeRole is wrapped as a misconfigured source; its cause decides.
      expect(sourced.code, sourced.out + sourced.err).toBe(3)
      expect(sourced.err).toContain('ERR_PROVIDER_MISCONFIGURED')
      expect(sourced.err).toContain('because ERR_STS_UNAVAILABLE')
      for (const r of [text, json, sourced])
        expect(`${r.out}${r.err}`).not.toContain(emu.demo.vendor.accessKeySecret)
    },
    CHILD_PROCESS_TIMEOUT_MS,
  )
})

describe('credvend partner init', () => {
  it(
    'generates a fresh high-entropy ExternalId and key, a reference-only config and the trust policy; check then passes',
    async () => {
      const roleArn = `acs:ram::${DEMO_PARTNER_ACCOUNT_ID}:role/onboarded`
      const run = async () => {
        const cli = runCli([
          'partner',
          'init',
          'newco',
          '--role-arn',
          roleArn,
          '--trusted',
          emu.demo.vendorArn,
        ])
        expect(await cli.exited, cli.stderr()).toBe(0)
        return cli.stdout()
      }
      const [first, second] = await Promise.all([run(), run()])
      const externalId = /ExternalId {3}(\S+)/.exec(first)![1]!
      expect(externalId).toMatch(/^cv-[A-Za-z0-9_-]{32}$/)
      expect(/ExternalId {3}(\S+)/.exec(second)![1]).not.toBe(externalId)
      expect(first).toMatch(/API key {6}cvk_newco_\S+/)

      const configText = /config \(merge into callers and profiles\):\n([\s\S]*?)\n\n/.exec(
        first,
      )![1]!
      const snippet = JSON.parse(configText)
      expect(configText).not.toContain(externalId)
      expect(snippet.profiles.newco).toMatchObject({
        roleArn,
        externalId: { env: 'CREDVEND_PARTNER_NEWCO_EXTERNAL_ID' },
        sessionName: 'pseudonymous',
      })
      const trustText = /trust policy for [^\n]*:\n([\s\S]*?)\n\n/.exec(first)![1]!
      const trust = JSON.parse(trustText)
      expect(trust).toEqual(renderTrustPolicy({ trusted: emu.demo.vendorArn, externalId }))

      // The partner attaches the printed trust policy; credvend loads the printed snippet.
      partnerRole('onboarded', trust)
      const digest = /CREDVEND_PARTNER_NEWCO_KEY_SHA256=([0-9a-f]{64})/.exec(first)![1]!
      const config = writeConfig({ newco: snippet.profiles.newco }, snippet.callers.apiKeys)
      const result = await check('newco', config, {
        CREDVEND_PARTNER_NEWCO_EXTERNAL_ID: externalId,
        CREDVEND_PARTNER_NEWCO_KEY_SHA256: digest,
      })
      expect(result.code, result.out + result.err).toBe(0)
    },
    CHILD_PROCESS_TIMEOUT_MS,
  )
})
