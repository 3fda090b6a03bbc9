import { readFile } from 'node:fs/promises'
import { ConfigError } from '../../../../lib/config/config-error.ts'
import { envSecretResolver, loadConfig, type SecretResolver } from '../../../../lib/config/load.ts'
import { defineCommand } from '../command.ts'
import { EXIT } from '../exit-codes.ts'
import { UsageError } from '../usage-error.ts'

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
const problemsJson = (file: string, problems: ConfigError['problems']) =>
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

export const configCheckCommand = defineCommand({
  name: 'config check',
  summary: 'validate a config file',
  usage: 'config check FILE [--resolve] [--json]',
  help: `Loads a config file as the server would: its shape, cross-field rules, templates and
secret references. Without --resolve every secret stands in as a placeholder, so it runs where
the secrets are not (a laptop, CI). Exits 0 when the config loads, 1 with every problem otherwise:
one line each, "path (line L, column C): problem", the line and column where that field's value
starts in the file. No value from the file is printed; a problem may name keys, template
variables and the part of a pattern that is wrong.

options:
  --resolve             also resolve its secret references from the environment
  --json                print {"ok", "file", ...summary}, or {"ok": false, "file", "problems"}
                        with each problem as {"path", "line", "column", "message"}
`,
  options: { resolve: { type: 'boolean' }, json: { type: 'boolean' } },
  positionals: [1, 1],
  env: { 'any {"env": NAME}': 'with --resolve, each secret reference the config names' },
  async run({ values, positionals, env }) {
    const file = positionals[0]!
    const text = await readConfigText(file)
    let loaded: Awaited<ReturnType<typeof loadConfig>>
    try {
      loaded = await loadConfig(text, values.resolve ? envSecretResolver(env) : placeholderResolver)
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error
      if (values.json) console.log(problemsJson(file, error.problems))
      else console.error(`credvend config check: ${file}: ${error.message}`)
      return EXIT.failed
    }
    const summary = {
      generation: loaded.generation,
      profiles: loaded.profiles.size + loaded.accessKeyProfiles.size,
      jwtIssuers: loaded.config.callers.jwt.length,
      apiKeys: loaded.apiKeys.size,
    }
    console.log(
      values.json
        ? JSON.stringify({ ok: true, file, ...summary })
        : `ok: ${file} — generation ${summary.generation}, ${summary.profiles} profile(s), ${summary.jwtIssuers} JWT issuer(s), ${summary.apiKeys} API key(s)`,
    )
  },
})
