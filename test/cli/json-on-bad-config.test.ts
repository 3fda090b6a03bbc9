import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { killCliChildren, runCli } from '../helpers/cli.ts'
import { CHILD_PROCESS_TIMEOUT_MS } from '../helpers/timeouts.ts'

/**
 * Every --json command that loads a config prints JSON on stdout when the config does not load,
 * the shape `config check --json` prints, with exit 1: a script parsing stdout never gets nothing.
 */

let dir: string
const SECRET_ENV = 'CREDVEND_TEST_UNSET_EXTERNAL_ID'

const config = (overrides: Record<string, unknown> = {}) => ({
  region: 'cn-hangzhou',
  sourcePrincipal: 'acs:ram::1234567890123456:role/credvend',
  // Never called: every case stops at the config.
  sts: { endpoint: 'http://127.0.0.1:9' },
  callers: { apiKeys: [{ id: 'acme', sha256: ['0'.repeat(64)] }] },
  profiles: {
    acme: {
      kind: 'sts',
      allow: [{ apiKey: 'acme' }],
      roleArn: 'acs:ram::2222222222222222:role/partner',
      externalId: { env: SECRET_ENV },
    },
  },
  ...overrides,
})

const run = async (args: string[]) => {
  const cli = runCli(args, { [SECRET_ENV]: undefined })
  const code = await cli.exited
  return { code, out: cli.stdout(), err: cli.stderr() }
}

type Problems = { ok: boolean; file: string; problems: Array<{ path: string; message: string }> }

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'credvend-json-bad-config-'))
})
afterAll(() => killCliChildren())

describe('--json when the config does not load', () => {
  it(
    'policy render, policy explain, partner check (a missing secret) and infra check print the problems as JSON',
    async () => {
      const bad = join(dir, 'bad.json')
      writeFileSync(bad, JSON.stringify(config({ region: 'Hangzhou' })))
      const good = join(dir, 'good.json')
      writeFileSync(good, JSON.stringify(config()))
      const caller = ['--profile', 'acme', '--api-key', 'acme']
      const [render, explain, partner, infra, text] = await Promise.all([
        run(['policy', 'render', '--config', bad, ...caller, '--json']),
        run([
          'policy',
          'explain',
          '--config',
          bad,
          ...caller,
          '--action',
          'oss:GetObject',
          '--resource',
          'acs:oss:*:*:bucket/a',
          '--json',
        ]),
        // The file's shape is fine; its {"env"} secret is not in the environment.
        run(['partner', 'check', 'acme', '--config', good, '--json']),
        run(['infra', 'check', bad, dir, '--json']),
        run(['policy', 'render', '--config', bad, ...caller]),
      ])

      for (const [name, result, file, path] of [
        ['policy render', render, bad, 'region'],
        ['policy explain', explain, bad, 'region'],
        ['partner check', partner, good, 'profiles.acme.externalId'],
        ['infra check', infra, bad, 'region'],
      ] as const) {
        expect(result.code, `${name}: ${result.err}`).toBe(1)
        const report = JSON.parse(result.out) as Problems
        expect(report, name).toMatchObject({ ok: false, file })
        expect(
          report.problems.map((p) => p.path),
          name,
        ).toContain(path)
      }
      expect((JSON.parse(partner.out) as Problems).problems[0]!.message).toContain(SECRET_ENV)

      // Without --json the problems stay on stderr, naming the file.
      expect(text.code).toBe(1)
      expect(text.out).toBe('')
      expect(text.err).toContain(`ERR_CONFIG_INVALID: ${bad}: invalid configuration`)
    },
    CHILD_PROCESS_TIMEOUT_MS,
  )
})
