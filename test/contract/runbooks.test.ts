import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { killCliChildren, runCli } from '../helpers/cli.ts'
import {
  buildCli,
  describeRun,
  fencedBlocks,
  loopbackChildEnv,
  runBash,
} from '../helpers/fenced-blocks.ts'
import { CHILD_PROCESS_TIMEOUT_MS } from '../helpers/timeouts.ts'

/**
 * The runbooks' commands run (infra/runbooks/README.md): every ```sh block of every runbook is
 * executed with bash against local mode (`credvend serve --local`, what `npm start` runs), and must exit 0. Blocks that only
 * make sense in production are ```text and are not run (helpers/fenced-blocks.ts parses and runs
 * them; test/contract/docs-commands.test.ts does the same for README.md and infra/). The names the runbooks and SECURITY.md
 * rely on — metric series and error codes — must exist in the code.
 *
 * System programs the blocks use: bash, curl, jq, sed, grep, sort, uniq, head, tail, cut, tr,
 * base64, sha256sum, mktemp, date (coreutils), and node/npx for the CLI.
 */

const RUNBOOK_DIR = 'infra/runbooks'
const RUNBOOKS = [
  'sts-throttling.md',
  'kms-outage.md',
  'jwks-rotation.md',
  'leaked-api-key.md',
  'leaked-session.md',
]

/** Inputs per runbook beyond the shared ones (README.md's table gives their meaning). */
const INPUTS: Record<string, Record<string, string>> = {
  'kms-outage.md': { CREDVEND_CONFIG: 'infra/config/internal.json' },
  'jwks-rotation.md': { PROFILE: 'demo-upload' },
}

let cli: ReturnType<typeof runCli>
let appUrl: string
let apiKey: string
let token: string
let sessionName: string
let workDir: string
let childEnv: NodeJS.ProcessEnv

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'credvend-runbooks-'))
  childEnv = await loopbackChildEnv(workDir)
  // The runbooks call the CLI as `npx credvend` (the package's bin): build it from this tree.
  const build = await buildCli(CHILD_PROCESS_TIMEOUT_MS)
  expect(build.code, build.output).toBe(0)
  cli = runCli(['serve', '--local'], { PORT: '0' })
  ;[, appUrl] = (await cli.output(/credvend app\s+(http:\/\/127\.0\.0\.1:\d+)/)) as [string, string]
  await cli.output(/STS emulator/)
  apiKey = /Bearer (cvk_[A-Za-z0-9_-]+)/.exec(cli.stdout())![1]!
  token = /demo-upload -H 'Authorization: Bearer ([A-Za-z0-9._-]+)'/.exec(cli.stdout())![1]!
  // One vend each way, so the audit log and the counters the runbooks read have something in them.
  const partner = await fetch(`${appUrl}/v1/credentials/demo-partner`, {
    headers: { authorization: `Bearer ${apiKey}` },
  })
  expect(partner.status).toBe(200)
  sessionName = ((await partner.json()) as { RoleSessionName: string }).RoleSessionName
  const upload = await fetch(`${appUrl}/v1/credentials/demo-upload`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
  })
  expect(upload.status).toBe(200)
}, CHILD_PROCESS_TIMEOUT_MS)

afterAll(async () => {
  killCliChildren()
  await rm(workDir, { recursive: true, force: true })
})

describe('runbooks', () => {
  it('every expected runbook exists, and nothing in infra/runbooks is unlisted', async () => {
    const files = (await readdir(RUNBOOK_DIR)).filter((f) => f.endsWith('.md')).sort()
    expect(files).toEqual([...RUNBOOKS, 'README.md'].sort())
  })

  it.each(RUNBOOKS)('%s has runnable sh blocks and only sh, text or json blocks', async (file) => {
    const blocks = fencedBlocks(await readFile(join(RUNBOOK_DIR, file), 'utf8'))
    expect(blocks.filter((b) => b.lang === 'sh').length).toBeGreaterThan(0)
    for (const block of blocks)
      expect(['sh', 'text', 'json'], `${file}: a block marked "${block.lang}"`).toContain(
        block.lang,
      )
  })

  it.each(RUNBOOKS)(
    '%s: every sh block exits 0 in local mode',
    { timeout: 240_000 },
    async (file) => {
      const blocks = fencedBlocks(await readFile(join(RUNBOOK_DIR, file), 'utf8')).filter(
        (b) => b.lang === 'sh',
      )
      // The server's log so far stands in for the audit log an operator exports from SLS.
      const auditLog = join(workDir, 'credvend.log')
      await writeFile(auditLog, cli.stdout())
      const env: NodeJS.ProcessEnv = {
        ...process.env,
        ...childEnv,
        CREDVEND_URL: appUrl,
        CREDVEND_CONFIG: 'infra/config/public.json',
        CREDVEND_AUDIT_LOG: auditLog,
        CREDVEND_API_KEY: apiKey,
        CREDVEND_TOKEN: token,
        PROFILE: 'demo-partner',
        SESSION_NAME: sessionName,
        ...INPUTS[file],
      }
      for (const [i, block] of blocks.entries()) {
        const result = await runBash(block.body, env)
        expect(result.code, `sh block ${i + 1} of ${describeRun(file, block, result)}`).toBe(0)
      }
    },
  )

  it('the series and error codes the runbooks and SECURITY.md name exist in the code', async () => {
    const metricsSource = await readFile('lib/metrics/credvend-metrics.ts', 'utf8')
    const series = new Set([...metricsSource.matchAll(/'(credvend_[a-z_]+)'/g)].map((m) => m[1]!))
    const errorsSource = await readFile('lib/errors.ts', 'utf8')
    const codes = new Set([...errorsSource.matchAll(/'(ERR_[A-Z_]+)'/g)].map((m) => m[1]!))
    expect(series.size).toBeGreaterThan(5)
    expect(codes.size).toBeGreaterThan(20)
    const docs = [
      ...RUNBOOKS.map((f) => join(RUNBOOK_DIR, f)),
      join(RUNBOOK_DIR, 'README.md'),
      'SECURITY.md',
    ]
    for (const doc of docs) {
      const text = await readFile(doc, 'utf8')
      for (const [name] of text.matchAll(/\bcredvend_[a-z_]+/g)) {
        expect(
          series.has(name.replace(/_(bucket|sum|count)$/, '')) || series.has(name),
          `${doc} names the series ${name}`,
        ).toBe(true)
      }
      // ERR_ followed by an underscore is a prefix in a grep pattern (ERR_AUTH_), not a code.
      for (const [code] of text.matchAll(/\bERR_[A-Z_]*[A-Z]\b/g))
        expect(codes.has(code), `${doc} names the error code ${code}`).toBe(true)
    }
  })
})
