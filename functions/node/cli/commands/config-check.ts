import { readFile } from 'node:fs/promises'
import { envSecretResolver, loadConfig, type SecretResolver } from '../../../../lib/config/load.ts'
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

/** Reads and loads a config file; `resolve` picks real secrets or placeholders (checks). */
export const readConfigFile = async (path: string, resolve: SecretResolver) =>
  loadConfig(await readConfigText(path), resolve)

/** `credvend config check FILE [--resolve]`: exit 0 with a summary, or 2 with one line per problem. */
export const configCheckCommand = async (args: readonly string[], env: NodeJS.ProcessEnv) => {
  const file = args.find((a) => !a.startsWith('--'))
  if (!file || args.some((a) => a.startsWith('--') && a !== '--resolve'))
    throw new UsageError('usage: credvend config check FILE [--resolve]')
  const loaded = await readConfigFile(
    file,
    args.includes('--resolve') ? envSecretResolver(env) : placeholderResolver,
  )
  console.log(
    `ok: ${file} — generation ${loaded.generation}, ${loaded.profiles.size + loaded.accessKeyProfiles.size} profile(s), ${loaded.config.callers.jwt.length} JWT issuer(s), ${loaded.apiKeys.size} API key(s)`,
  )
}
