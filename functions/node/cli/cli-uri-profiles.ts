import { randomBytes } from 'node:crypto'
import { chmod, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { UsageError } from './usage-error.ts'

type CliConfig = { current?: string; profiles: Array<Record<string, unknown>> } & Record<
  string,
  unknown
>

const isCliConfig = (value: unknown): value is CliConfig =>
  typeof value === 'object' &&
  value !== null &&
  Array.isArray((value as { profiles?: unknown }).profiles) &&
  (value as { profiles: unknown[] }).profiles.every(
    (p) =>
      typeof p === 'object' && p !== null && typeof (p as { name?: unknown }).name === 'string',
  )

/**
 * The aliyun CLI's settings a profile keeps when credvend takes it over. Everything else is
 * dropped, credentials above all: a StsToken profile written by `export --format cli-config`
 * would otherwise leave its dead keys in the file beside the URI.
 */
const KEPT = ['region_id', 'output_format', 'language', 'site', 'endpoint', 'endpoint_type']

/**
 * Reads an aliyun CLI config file (or notes its absence) before the agent starts, so a file it
 * cannot merge into costs no vend; `write` then sets one `CredentialsURI` profile per credvend
 * profile, named after it, and leaves every other profile as it was. A new file's `current` is the
 * first profile; an existing one's is not moved. The file is replaced whole through a 0600 file
 * in the same directory: the URI's path is the agent's secret, and a reader never sees half a file.
 */
export const prepareCliUriProfiles = async (path: string, region: string) => {
  let text: string | undefined
  try {
    text = await readFile(path, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT')
      throw new UsageError(`--cli-config ${path}: ${(error as Error).message}`)
  }
  let config: CliConfig = { profiles: [] }
  if (text !== undefined && text.trim() !== '') {
    let parsed: unknown
    try {
      parsed = JSON.parse(text)
    } catch {
      parsed = undefined
    }
    if (!isCliConfig(parsed))
      throw new UsageError(
        `--cli-config ${path} is not an aliyun CLI config file (a JSON object with "profiles")`,
      )
    config = parsed
  }
  return {
    async write(uris: ReadonlyMap<string, string>): Promise<void> {
      const profiles = [...config.profiles]
      for (const [name, uri] of uris) {
        const at = profiles.findIndex((p) => p.name === name)
        const old = at >= 0 ? profiles[at]! : {}
        const entry: Record<string, unknown> = {
          region_id: region,
          output_format: 'json',
          language: 'en',
          ...Object.fromEntries(KEPT.filter((k) => old[k] !== undefined).map((k) => [k, old[k]])),
          name,
          mode: 'CredentialsURI',
          credentials_uri: uri,
        }
        if (at >= 0) profiles[at] = entry
        else profiles.push(entry)
      }
      const next = {
        ...config,
        current: config.current || [...uris.keys()][0],
        profiles,
        meta_path: config.meta_path ?? '',
      }
      await mkdir(dirname(path), { recursive: true, mode: 0o700 })
      const temporary = join(dirname(path), `.credvend-${randomBytes(6).toString('hex')}.tmp`)
      try {
        await writeFile(temporary, `${JSON.stringify(next, null, 4)}\n`, {
          mode: 0o600,
          flag: 'wx',
        })
        // writeFile's mode is filtered by the umask; 0600 is the point, so it is set outright.
        await chmod(temporary, 0o600)
        await rename(temporary, path)
      } catch (error) {
        await rm(temporary, { force: true })
        throw error
      }
    },
  }
}
