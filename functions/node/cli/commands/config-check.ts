import { ConfigError } from '../../../../lib/config/config-error.ts'
import { envSecretResolver, loadConfig } from '../../../../lib/config/load.ts'
import { defineCommand } from '../command.ts'
import { placeholderResolver, problemsJson, readConfigText } from '../config-file.ts'
import { EXIT } from '../exit-codes.ts'

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
