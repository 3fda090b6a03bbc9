import { execFile } from 'node:child_process'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { connectTarget, isLoopbackHost } from './loopback.ts'

/**
 * Fenced code blocks of a Markdown document, and a runner for the shell ones. Documentation whose
 * commands are run by a test (the runbooks, README.md, infra/) marks each block: `sh` or `bash`
 * blocks are run, `text` blocks (production only: deploys, real endpoints) are not, and data blocks
 * carry their language (`json`, `js`, `yaml`). A block with no info string is refused, so nothing
 * runnable hides from the test.
 */
export interface FencedBlock {
  /** The info string's first word: `sh`, `text`, `json`, …; empty for an unmarked fence. */
  readonly lang: string
  /** The block's text, flush left (blocks inside list items are indented). */
  readonly body: string
  /** 1-based line of the opening fence, for failure messages. */
  readonly line: number
}

/** The languages whose blocks are run. */
export const SHELL_LANGS: readonly string[] = ['sh', 'bash']

export const fencedBlocks = (markdown: string): FencedBlock[] =>
  [...markdown.matchAll(/^( *)```([^\n`]*)\n([\s\S]*?)^\1```[ \t]*$/gm)].map((m) => ({
    lang: m[2]!.trim().split(/\s+/)[0] ?? '',
    // bash must see indented blocks flush left (heredoc-safe): strip the fence's own indent.
    body: m[3]!
      .split('\n')
      .map((line) => line.slice(Math.min(m[1]!.length, line.length - line.trimStart().length)))
      .join('\n'),
    line: markdown.slice(0, m.index).split('\n').length,
  }))

/** A block's commands: comment-only and blank lines dropped, `\` continuations joined. */
export const commandsOf = (body: string): string[] =>
  body
    .replace(/\\\n\s*/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))

export interface BashResult {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

/** Runs a script with `bash -c` under `set -euo pipefail`, from the repository root. */
export const runBash = (
  script: string,
  env: NodeJS.ProcessEnv,
  timeoutMs = 90_000,
): Promise<BashResult> =>
  new Promise((resolve) => {
    execFile(
      'bash',
      ['-c', `set -euo pipefail\n${script}`],
      { env, cwd: process.cwd(), timeout: timeoutMs, maxBuffer: 4 * 1024 * 1024 },
      (error, stdout, stderr) => {
        resolve({
          code: error ? (typeof error.code === 'number' ? error.code : 1) : 0,
          stdout,
          stderr,
        })
      },
    )
  })

/**
 * `npm run build:cli`, as `npm install` (prepare) and `npm start` (prestart) run it: the documents
 * call the CLI as `npx credvend`, the package's bin, so a test that runs them builds it first.
 */
export const buildCli = (timeoutMs: number): Promise<{ code: number; output: string }> =>
  new Promise((resolve) => {
    execFile(
      'npm',
      ['run', '--silent', 'build:cli'],
      { cwd: process.cwd(), timeout: timeoutMs },
      (error, stdout, stderr) => resolve({ code: error ? 1 : 0, output: `${stdout}${stderr}` }),
    )
  })

/** The message a failed block reports: where it is, what it ran, what it printed. */
export const describeRun = (file: string, block: FencedBlock, result: BashResult) =>
  `${file}:${block.line}, a ${block.lang} block, exited ${result.code}:\n${block.body}\n` +
  `stdout:\n${result.stdout}\nstderr:\n${result.stderr}`

/**
 * The environment that keeps Node children of a block on loopback, as the test's own
 * setup/loopback-only.ts keeps the test process: a module, written into `dir` and preloaded through
 * NODE_OPTIONS, that refuses every socket connection to a non-loopback host (the same rule,
 * helpers/loopback.ts, serialized), the official credential chain told not to try the ECS
 * metadata service, and npm kept offline (a block's `npx credvend` runs the package's own bin).
 */
export const loopbackChildEnv = async (dir: string): Promise<NodeJS.ProcessEnv> => {
  const guard = join(dir, 'loopback-guard.mjs')
  await writeFile(
    guard,
    [
      "import net from 'node:net'",
      `const isLoopbackHost = ${isLoopbackHost.toString()}`,
      `const connectTarget = ${connectTarget.toString()}`,
      'const original = net.Socket.prototype.connect',
      'net.Socket.prototype.connect = function guardedConnect(...args) {',
      '  const host = connectTarget(args)',
      '  if (host !== undefined && !isLoopbackHost(host)) {',
      '    const error = Object.assign(new Error(`docs test: connection to ${host} refused (tests stay on loopback)`), { code: "ERR_TEST_NON_LOOPBACK" })',
      '    process.nextTick(() => this.destroy(error))',
      '    return this',
      '  }',
      '  return original.apply(this, args)',
      '}',
      '',
    ].join('\n'),
  )
  return {
    NODE_OPTIONS: `--import ${pathToFileURL(guard).href}`,
    ALIBABA_CLOUD_ECS_METADATA_DISABLED: 'true',
    npm_config_offline: 'true',
    npm_config_update_notifier: 'false',
    npm_config_fund: 'false',
    npm_config_audit: 'false',
  }
}
