import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/**
 * The process environment of an FC instance for tests of the in-process entries: the function's
 * environment `env`, no `ALIBABA_CLOUD_*` variable and no metadata service (only what FC hands
 * over may make a vend work), and an empty HOME. Returns what puts the test's environment back.
 */
export const enterFcProcessEnv = (
  env: Readonly<Record<string, string | undefined>>,
): (() => void) => {
  const saved = { ...process.env }
  Object.assign(process.env, env)
  for (const name of Object.keys(process.env))
    if (name.startsWith('ALIBABA_CLOUD_')) delete process.env[name]
  process.env.ALIBABA_CLOUD_ECS_METADATA_DISABLED = 'true'
  process.env.HOME = mkdtempSync(join(tmpdir(), 'credvend-fc-home-'))
  return () => {
    for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name]
    Object.assign(process.env, saved)
  }
}
