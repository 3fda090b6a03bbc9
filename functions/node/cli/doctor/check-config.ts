import { readFile } from 'node:fs/promises'
import { loadConfig, parseConfig, type ParsedConfig } from '../../../../lib/config/load.ts'
import type { Config } from '../../../../lib/config/schema.ts'
import { ConfigError, formatProblem } from '../../../../lib/config/config-error.ts'
import { placeholderResolver, readConfigText } from '../config-file.ts'
import type { DoctorCheck } from './doctor-check.ts'

/** The problems of a refused config, one line each, as `config check` prints them. */
const problemsOf = (error: unknown): readonly string[] | undefined =>
  error instanceof ConfigError ? error.problems.map(formatProblem) : undefined

/**
 * The config as `config check` loads it (placeholder secrets, so it runs where they are not), and
 * its STS and KMS sections whenever its shape is right, so the endpoints are checked even when a
 * template is not. A file named by `--config` that cannot be read is a usage error, like every
 * command's; one named by CREDVEND_CONFIG is a finding.
 */
export const checkConfig = async (
  path: string | undefined,
  from: '--config' | 'CREDVEND_CONFIG',
): Promise<{ check: DoctorCheck; config?: Config }> => {
  const name = 'config'
  if (path === undefined)
    return {
      check: {
        name,
        status: 'skipped',
        detail: 'no config named (--config FILE or CREDVEND_CONFIG)',
        fix: null,
      },
    }
  let text: string
  if (from === '--config') text = await readConfigText(path)
  else {
    const read = await readFile(path, 'utf8').catch(() => undefined)
    if (read === undefined)
      return {
        check: {
          name,
          status: 'fail',
          detail: `CREDVEND_CONFIG names ${path}, which cannot be read`,
          fix: 'point CREDVEND_CONFIG at a readable config file, or unset it',
        },
      }
    text = read
  }
  const failed = (problems: readonly string[], config?: Config) => ({
    check: {
      name,
      status: 'fail' as const,
      detail: `${path}: ${problems.length} problem(s):\n${problems.join('\n')}`,
      fix: `fix each problem in ${path} (credvend config check ${path} lists them too)`,
    },
    ...(config ? { config } : {}),
  })
  let parsed: ParsedConfig
  try {
    parsed = await parseConfig(text)
  } catch (error) {
    const problems = problemsOf(error)
    if (!problems) throw error
    return failed(problems)
  }
  try {
    const loaded = await loadConfig(parsed, placeholderResolver)
    const profiles = loaded.profiles.size + loaded.accessKeyProfiles.size
    return {
      check: {
        name,
        status: 'ok',
        detail: `${path}: generation ${loaded.generation}, ${profiles} profile(s) (secrets not resolved)`,
        fix: null,
      },
      config: parsed.config,
    }
  } catch (error) {
    const problems = problemsOf(error)
    if (!problems) throw error
    return failed(problems, parsed.config)
  }
}
