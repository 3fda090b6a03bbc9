import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises'
import { dirname, join, relative } from 'node:path'
import { infraDrift, renderInfra } from '../../../../lib/infra/render.ts'
import { UsageError } from '../usage-error.ts'
import { placeholderResolver, readConfigFile } from './config-check.ts'

const USAGE = 'usage: credvend infra render CONFIG --out DIR | credvend infra check CONFIG DIR'

const render = async (config: string) =>
  renderInfra((await readConfigFile(config, placeholderResolver)).config)

const filesUnder = async (dir: string): Promise<Map<string, string>> => {
  const out = new Map<string, string>()
  const walk = async (at: string) => {
    for (const entry of await readdir(at, { withFileTypes: true }).catch(() => [])) {
      const path = join(at, entry.name)
      if (entry.isDirectory()) await walk(path)
      else if (entry.name.endsWith('.json'))
        out.set(relative(dir, path), await readFile(path, 'utf8'))
    }
  }
  await walk(dir)
  return out
}

/**
 * `credvend infra render|check`: the RAM and OSS side of a deployment from its config. Secrets are
 * not needed (ExternalIds stay references), so none are resolved.
 */
export const infraCommand = async (args: readonly string[]): Promise<number> => {
  const [sub, config, ...rest] = args
  if (!config) throw new UsageError(USAGE)
  if (sub === 'render') {
    const i = rest.indexOf('--out')
    const out = i === -1 ? undefined : rest[i + 1]
    if (!out) throw new UsageError(USAGE)
    const files = await render(config)
    for (const f of files) {
      await mkdir(dirname(join(out, f.path)), { recursive: true })
      await writeFile(join(out, f.path), `${JSON.stringify(f.json, null, 2)}\n`)
    }
    console.log(
      `rendered ${files.length} files into ${out}:\n${files.map((f) => `  ${f.path}`).join('\n')}`,
    )
    return 0
  }
  if (sub === 'check') {
    const dir = rest[0]
    if (!dir) throw new UsageError(USAGE)
    const drift = infraDrift(await render(config), await filesUnder(dir))
    if (drift.length === 0) {
      console.log(`ok: ${dir} is what ${config} implies`)
      return 0
    }
    console.log(
      `drift between ${dir} and ${config} (re-render with credvend infra render):\n${drift.map((d) => `  ${d}`).join('\n')}`,
    )
    return 1
  }
  throw new UsageError(USAGE)
}
