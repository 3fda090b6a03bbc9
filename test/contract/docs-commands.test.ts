import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join, normalize } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  buildCli,
  commandsOf,
  describeRun,
  fencedBlocks,
  loopbackChildEnv,
  runBash,
  SHELL_LANGS,
  type FencedBlock,
} from '../helpers/fenced-blocks.ts'
import { CHILD_PROCESS_TIMEOUT_MS } from '../helpers/timeouts.ts'

/**
 * The documentation's commands run. Every ```sh / ```bash block of the documents below is run
 * with bash from the repository root against local mode — the bundled CLI's `serve --local`, which
 * is what `npm start` runs — and must exit 0. The blocks read `CREDVEND_URL` (the local app) and
 * `CREDVEND_API_KEY` (the demo partner's key from the banner), as README.md tells a reader to set
 * them. A block whose one command is `npx credvend serve …` never ends: it is started on an
 * ephemeral port, must print its banner and answer /healthz, and is stopped. Blocks that only make
 * sense in production (deploys, real endpoints) are ```text and are not run; a fence without a
 * language is refused. Node programs the blocks start stay on loopback (helpers/fenced-blocks.ts).
 *
 * System programs the blocks use: bash, curl, jq, mktemp, sh, and node/npx for the CLI.
 */

/** Documents whose shell blocks are run. */
const RUN_DOCS = [
  'README.md',
  'infra/README.md',
  'infra/CONFIG.md',
  'infra/OPERATIONS.md',
  'infra/UPLOADS.md',
  'infra/PARTNERS.md',
  'infra/SERVICES.md',
]
/** Every document this test holds to marked fences and working links. */
const DOCS = [
  ...RUN_DOCS,
  'infra/DEPLOY.md',
  'lib/README.md',
  'lib/emulator/README.md',
  'test/README.md',
  'SECURITY.md',
]
const DATA_LANGS = ['text', 'json', 'js', 'ts', 'yaml']

/**
 * README.md's first block: the two set-up commands. Not run here — `npm test` cannot run itself,
 * and `npm start` never ends; beforeAll does what `npm start` does (build the CLI, `serve --local`).
 */
const SETUP_COMMANDS = ['npm install && npm start', 'npm test']
const isSetupBlock = (block: FencedBlock) =>
  JSON.stringify(commandsOf(block.body).map((c) => c.replace(/\s+#.*$/, '').trim())) ===
  JSON.stringify(SETUP_COMMANDS)

const SERVE = /^npx credvend serve\b/
const isServerBlock = (block: FencedBlock) => {
  const commands = commandsOf(block.body)
  return commands.length === 1 && SERVE.test(commands[0]!)
}

const APP_URL = /credvend app\s+(http:\/\/127\.0\.0\.1:\d+)/

let workDir: string
let blockEnv: NodeJS.ProcessEnv
let server: ChildProcess
let serverOut = ''
const started: ChildProcess[] = []

/** Resolves with the first match of `pattern` in the child's stdout; rejects if it exits first. */
const waitForOutput = (child: ChildProcess, pattern: RegExp, read: () => string) =>
  new Promise<RegExpMatchArray>((resolve, reject) => {
    const check = () => {
      const match = read().match(pattern)
      if (match) resolve(match)
    }
    child.stdout!.on('data', check)
    child.on('exit', (code) => reject(new Error(`exited (${code}) before printing ${pattern}`)))
    check()
  })

/** Stops a child and everything it started (it leads its own process group). */
const stop = async (child: ChildProcess) => {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise((resolve) => child.on('exit', resolve))
  try {
    process.kill(-child.pid!, 'SIGTERM')
  } catch {
    return // already gone
  }
  await exited
}

/** Starts a server block on an ephemeral port, checks it serves, stops it. */
const runServerBlock = async (file: string, block: FencedBlock) => {
  const command = commandsOf(block.body)[0]!
  const child = spawn('bash', ['-c', `exec ${command}`], {
    env: { ...blockEnv, PORT: '0' },
    cwd: process.cwd(),
    detached: true,
  })
  started.push(child)
  let out = ''
  let err = ''
  child.stdout.on('data', (d) => (out += d))
  child.stderr.on('data', (d) => (err += d))
  try {
    const [, url] = (await waitForOutput(child, APP_URL, () => out).catch((error: Error) => {
      throw new Error(`${file}:${block.line}: ${command}\n${error.message}\n${err}`)
    })) as [string, string]
    expect((await fetch(`${url}/healthz`)).status, `${file}:${block.line}: /healthz`).toBe(200)
    // A local frontend's origin is admitted by the demo upload profile's CORS.
    const origin = / --allow-origin[ =](\S+)/.exec(command)?.[1]
    if (origin !== undefined && !/ --config\b/.test(command)) {
      const preflight = await fetch(`${url}/v1/credentials/demo-upload`, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'authorization',
        },
      })
      expect(preflight.headers.get('access-control-allow-origin'), `${file}:${block.line}`).toBe(
        origin,
      )
    }
  } finally {
    await stop(child)
  }
}

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'credvend-docs-'))
  const guard = await loopbackChildEnv(workDir)
  // What `npm install` (prepare) and `npm start` (prestart) do: the bin the docs call is current.
  const build = await buildCli(CHILD_PROCESS_TIMEOUT_MS)
  expect(build.code, build.output).toBe(0)
  const base: NodeJS.ProcessEnv = {
    ...process.env,
    ...guard,
    CREDVEND_CONFIG: undefined,
    CREDVEND_LOCAL: undefined,
    CREDVEND_TOKEN_FILE: undefined,
    CREDVEND_API_KEY: undefined,
  }
  server = spawn(process.execPath, ['functions/node/dist/credvend.js', 'serve', '--local'], {
    env: { ...base, PORT: '0' },
    detached: true,
  })
  started.push(server)
  server.stdout!.on('data', (d) => (serverOut += d))
  const [, appUrl] = (await waitForOutput(server, APP_URL, () => serverOut)) as [string, string]
  await waitForOutput(server, /Bearer cvk_/, () => serverOut)
  const apiKey = /Bearer (cvk_[A-Za-z0-9_-]+)/.exec(serverOut)![1]!
  blockEnv = { ...base, CREDVEND_URL: appUrl, CREDVEND_API_KEY: apiKey }
}, CHILD_PROCESS_TIMEOUT_MS)

afterAll(async () => {
  await Promise.all(started.map(stop))
  await rm(workDir, { recursive: true, force: true })
})

const read = (file: string) => readFile(file, 'utf8')

describe('the documentation', () => {
  it('README.md opens with the two set-up commands', async () => {
    const [first] = fencedBlocks(await read('README.md'))
    expect(first?.lang).toBe('sh')
    expect(isSetupBlock(first!), first?.body).toBe(true)
  })

  it('README.md stays a front page of about 200 lines; the detail lives in the linked docs', async () => {
    expect((await read('README.md')).split('\n').length).toBeLessThanOrEqual(240)
  })

  it.each(DOCS)('%s marks every fence: sh/bash (run), text or a data language', async (file) => {
    for (const block of fencedBlocks(await read(file)))
      expect(
        [...SHELL_LANGS, ...DATA_LANGS],
        `${file}:${block.line}: a fence marked "${block.lang}"`,
      ).toContain(block.lang)
  })

  it.each(DOCS)('%s links only to files and headings that exist', async (file) => {
    const text = await read(file)
    const prose = text.replace(/^( *)```[^\n]*\n[\s\S]*?^\1```[ \t]*$/gm, '')
    const links = [...prose.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]!)
    for (const link of links.filter((l) => !/^[a-z]+:/.test(l))) {
      const [path, anchor] = link.split('#') as [string, string | undefined]
      const target = path === '' ? file : normalize(join(dirname(file), path))
      expect(existsSync(target), `${file} links to ${link}`).toBe(true)
      if (anchor !== undefined && target.endsWith('.md'))
        expect(headingSlugs(await read(target)), `${file} links to ${link}`).toContain(anchor)
    }
  })

  it('runs shell blocks in README.md and infra/README.md', async () => {
    for (const file of ['README.md', 'infra/README.md']) {
      const runnable = fencedBlocks(await read(file)).filter(
        (b) => SHELL_LANGS.includes(b.lang) && !isSetupBlock(b),
      )
      expect(runnable.length, file).toBeGreaterThan(1)
    }
  })

  it.each(DOCS.filter((d) => !RUN_DOCS.includes(d)))(
    '%s has no shell block (its commands are production-only text, or it has none)',
    async (file) => {
      const shell = fencedBlocks(await read(file)).filter((b) => SHELL_LANGS.includes(b.lang))
      expect(shell.map((b) => `${file}:${b.line}`)).toEqual([])
    },
  )

  it.each(RUN_DOCS)(
    '%s: every shell block succeeds against local mode',
    { timeout: 300_000 },
    async (file) => {
      const blocks = fencedBlocks(await read(file)).filter(
        (b) => SHELL_LANGS.includes(b.lang) && !(file === 'README.md' && isSetupBlock(b)),
      )
      // Every block runs, so one failure does not hide the next; each failure is reported whole.
      const failures: string[] = []
      for (const block of blocks) {
        if (isServerBlock(block)) {
          await runServerBlock(file, block).catch((error: Error) => failures.push(error.message))
          continue
        }
        const result = await runBash(block.body, blockEnv)
        if (result.code !== 0) failures.push(describeRun(file, block, result))
      }
      expect(blocks.length).toBeGreaterThan(0)
      expect(failures).toEqual([])
    },
  )

  it("keeps a block's Node programs on loopback", async () => {
    const probe = (host: string) =>
      runBash(
        `node -e "require('node:net').connect(9, '${host}').on('error', (e) => console.log(e.code))"`,
        blockEnv,
      )
    // 0.0.0.0 is not loopback by the rule, yet stays on this machine should the guard fail.
    expect((await probe('0.0.0.0')).stdout.trim()).toBe('ERR_TEST_NON_LOOPBACK')
    expect((await probe('127.0.0.1')).stdout.trim()).toBe('ECONNREFUSED')
  })
})

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens. */
const headingSlugs = (markdown: string) =>
  markdown
    .replace(/^( *)```[^\n]*\n[\s\S]*?^\1```[ \t]*$/gm, '')
    .split('\n')
    .filter((line) => /^#{1,6} /.test(line))
    .map((line) =>
      line
        .replace(/^#+ /, '')
        .trim()
        .toLowerCase()
        .replace(/[^\p{L}\p{N}\s_-]/gu, '')
        .replace(/\s/g, '-'),
    )
