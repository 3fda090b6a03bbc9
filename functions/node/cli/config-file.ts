import { readFile } from 'node:fs/promises'
import { ConfigError } from '../../../lib/config/config-error.ts'
import { loadConfig, type SecretResolver } from '../../../lib/config/load.ts'
import { EXIT } from './exit-codes.ts'
import { UsageError } from './usage-error.ts'

/**
 * Stands in for every secret reference when the secrets are not at hand (a laptop, CI): checks
 * the file's shape, templates and references, not the secrets' values.
 */
export const placeholderResolver: SecretResolver = async () => '0'.repeat(64)

/** A config file's text, or a usage error naming the file. */
export const readConfigText = async (path: string): Promise<string> => {
  try {
    return await readFile(path, 'utf8')
  } catch {
    throw new UsageError(`cannot read ${path}`)
  }
}

/** A config file that did not load, named, so any command can report it as `config check` does. */
class ConfigFileError extends ConfigError {
  readonly file: string

  constructor(file: string, cause: ConfigError) {
    super(cause.problems)
    this.file = file
    this.message = `${file}: ${cause.message}`
  }
}

/** `config check --json`'s answer for a config that does not load. */
export const problemsJson = (file: string, problems: ConfigError['problems']) =>
  JSON.stringify({ ok: false, file, problems })

/** Reads and loads a config file; `resolve` picks real secrets or placeholders (checks). */
export const readConfigFile = async (path: string, resolve: SecretResolver) => {
  const text = await readConfigText(path)
  try {
    return await loadConfig(text, resolve)
  } catch (error) {
    throw error instanceof ConfigError ? new ConfigFileError(path, error) : error
  }
}

/**
 * Wraps a `--json` command's run: a config that does not load prints what `config check --json`
 * prints, exit 1, so a script reading stdout gets JSON whatever failed. Without --json the error
 * goes on to cli.ts's one line on stderr.
 */
export const configProblemsAsJson =
  <I extends { readonly values: { readonly json?: boolean | undefined } }>(
    run: (input: I) => Promise<number | void>,
  ) =>
  async (input: I): Promise<number | void> => {
    try {
      return await run(input)
    } catch (error) {
      if (!input.values.json || !(error instanceof ConfigFileError)) throw error
      console.log(problemsJson(error.file, error.problems))
      return EXIT.failed
    }
  }
