import { execFile } from 'node:child_process'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildCliBundle } from '../../functions/node/tools/cli-bundle.ts'
import { CHILD_PROCESS_TIMEOUT_MS } from '../helpers/timeouts.ts'

/**
 * What `npm pack` makes is a package someone can install and run with no registry at all: the
 * tarball is installed into an empty directory with npm offline and an empty cache, then its
 * `credvend` command and its browser helper are used from there.
 */

const sh = (file: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = {}) =>
  new Promise<{ code: number; out: string; err: string }>((resolve) => {
    execFile(
      file,
      args,
      { cwd, env: { ...process.env, ...env }, timeout: CHILD_PROCESS_TIMEOUT_MS },
      (error, out, err) =>
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, out, err }),
    )
  })

let dir: string
let app: string

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'credvend-pack-'))
  app = join(dir, 'app')
  await mkdir(app)
  await writeFile(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true }))
  // What `prepare` does before `npm pack`, done here so the scripts need not run.
  await buildCliBundle()
}, CHILD_PROCESS_TIMEOUT_MS)

afterAll(() => rm(dir, { recursive: true, force: true }))

describe('the packed package', { timeout: CHILD_PROCESS_TIMEOUT_MS }, () => {
  it('installs offline into an empty directory and runs credvend and the browser helper', async () => {
    const packed = await sh(
      'npm',
      ['pack', '--ignore-scripts', '--json', '--pack-destination', dir],
      process.cwd(),
    )
    expect(packed.code, packed.err).toBe(0)
    const [{ filename, files }] = JSON.parse(packed.out) as [
      { filename: string; files: { path: string }[] },
    ]
    const paths = files.map((f) => f.path)
    expect(paths).toContain('functions/node/dist/credvend.js')
    // Nothing of the sources, tests or tooling ships.
    expect(paths.filter((p) => /^(test|functions\/node\/(cli|tools)|infra)\//.test(p))).toEqual([])

    const offline = { npm_config_cache: join(dir, 'empty-cache'), npm_config_offline: 'true' }
    const installed = await sh(
      'npm',
      ['install', '--no-audit', '--no-fund', join(dir, filename)],
      app,
      offline,
    )
    expect(installed.code, installed.err).toBe(0)

    const bin = join(app, 'node_modules', '.bin', 'credvend')
    const pkg = JSON.parse(await readFile('package.json', 'utf8')) as { version: string }
    const version = await sh(bin, ['--version'], app)
    expect(version).toMatchObject({ code: 0, out: `${pkg.version}\n` })
    const help = await sh(bin, ['--help'], app)
    expect(help.code).toBe(0)
    expect(help.out).toMatch(/^usage: credvend <command>/)

    const browser = await sh(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        "const m = await import('credvend/browser/oss-sts-refresher'); console.log(typeof m.createStsRefresher)",
      ],
      app,
    )
    expect(browser).toMatchObject({ code: 0, out: 'function\n' })
  })
})
