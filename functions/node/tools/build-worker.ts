import { execFile } from 'node:child_process'
import { mkdtemp, readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'

const run = promisify(execFile)
const root = fileURLToPath(new URL('../../../', import.meta.url))

/**
 * Builds the Worker exactly as a deployment would — `wrangler deploy --dry-run` with
 * `infra/wrangler.toml` — into a fresh directory, and returns the module wrangler would upload.
 * No account, no network: a dry run only bundles.
 */
export const buildWorkerWithWrangler = async (): Promise<{ outdir: string; script: string }> => {
  const outdir = await mkdtemp(join(tmpdir(), 'credvend-worker-'))
  await run(
    process.execPath,
    [
      join(root, 'node_modules/wrangler/bin/wrangler.js'),
      'deploy',
      '--dry-run',
      '--outdir',
      outdir,
      '--config',
      join(root, 'infra/wrangler.toml'),
    ],
    {
      cwd: root,
      // No telemetry, and its npm update check pointed at a closed loopback port: a test's child
      // process stays on loopback too.
      env: {
        ...process.env,
        WRANGLER_SEND_METRICS: 'false',
        WRANGLER_LOG: 'error',
        npm_registry: 'http://127.0.0.1:9/',
        CI: 'true',
      },
      timeout: 120_000,
    },
  )
  return { outdir, script: await readFile(join(outdir, 'index.js'), 'utf8') }
}
