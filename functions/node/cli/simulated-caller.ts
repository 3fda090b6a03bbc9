import { readFile } from 'node:fs/promises'
import { envSecretResolver, type LoadedConfig } from '../../../lib/config/load.ts'
import { HTTP_STATUS } from '../../../lib/http/status.ts'
import type { SimulatedCredential } from '../../../lib/vend/simulate-caller.ts'
import {
  simulateVend,
  type SimulatedRefusal,
  type VendSimulation,
} from '../../../lib/vend/simulate-vend.ts'
import * as z from '../../../lib/zod.ts'
import { UsageError } from './usage-error.ts'
import { placeholderResolver, readConfigFile } from './config-file.ts'

/** The flags that name a config, a profile and a caller, shared by `policy render` and `policy explain`. */
export const CALLER_OPTIONS = {
  config: { type: 'string' },
  profile: { type: 'string' },
  as: { type: 'string' },
  'api-key': { type: 'string' },
  param: { type: 'string', multiple: true },
  resolve: { type: 'boolean' },
  json: { type: 'boolean' },
} as const

/** One text for both commands' help, so the two cannot describe the same flags differently. */
export const CALLER_HELP = `  --config FILE         the config (or CREDVEND_CONFIG)
  --profile P           the profile
  --as CLAIMS.json      a JWT caller (login or workload): its token's claims. The issuer is the
                        one whose issuer URL equals "iss", as on the server; exp, iat and aud are
                        filled in when absent (aud: that issuer's first audience)
  --api-key ID          a partner API-key caller, by key id
  --param name=value    a declared parameter the caller sends (repeatable)
  --resolve             resolve the config's secret references from the environment (as config
                        check --resolve); without it pseudonymous session names are not computed
  --json                print one JSON object (above) instead of text; a config that does not
                        load prints {"ok": false, "file", "problems"} (as config check)`

const claimsSchema = z.record(z.string(), z.unknown())

interface CallerValues {
  readonly config?: string | undefined
  readonly profile?: string | undefined
  readonly as?: string | undefined
  readonly 'api-key'?: string | undefined
  readonly param?: string[] | undefined
  readonly resolve?: boolean | undefined
}

const readClaims = async (path: string): Promise<Readonly<Record<string, unknown>>> => {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch {
    throw new UsageError(`cannot read ${path}`)
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    throw new UsageError(`${path} is not JSON`)
  }
  const claims = claimsSchema.safeParse(json)
  if (!claims.success) throw new UsageError(`${path} must hold a JSON object of claims`)
  return claims.data
}

/**
 * `name=value` pairs. A name given twice is a usage error: a request carries one value per
 * parameter, and silently keeping the last would simulate a request no caller can send.
 */
const pairs = (flag: string, given: readonly string[] | undefined) => {
  const out: Record<string, string> = {}
  for (const pair of given ?? []) {
    const at = pair.indexOf('=')
    if (at <= 0) throw new UsageError(`${flag} takes name=value, got "${pair}"`)
    const name = pair.slice(0, at)
    if (Object.hasOwn(out, name)) throw new UsageError(`${flag} ${name} is given twice`)
    out[name] = pair.slice(at + 1)
  }
  return out
}

/** Reads the config and the caller the flags name, and runs that caller through the server's checks. */
export const simulateFromFlags = async (
  values: CallerValues,
  env: NodeJS.ProcessEnv,
): Promise<{ readonly loaded: LoadedConfig; readonly simulation: VendSimulation }> => {
  const configPath = values.config ?? env.CREDVEND_CONFIG
  if (!configPath) throw new UsageError('--config FILE (or CREDVEND_CONFIG) is required')
  if (!values.profile) throw new UsageError('--profile P is required')
  if ((values.as === undefined) === (values['api-key'] === undefined))
    throw new UsageError('name the caller with exactly one of --as CLAIMS.json and --api-key ID')
  const parameters = pairs('--param', values.param)
  const credential: SimulatedCredential =
    values.as !== undefined
      ? { kind: 'jwt', claims: await readClaims(values.as) }
      : { kind: 'apiKey', id: values['api-key']! }
  const loaded = await readConfigFile(
    configPath,
    values.resolve ? envSecretResolver(env) : placeholderResolver,
  )
  const profile = values.profile
  if (!loaded.profiles.has(profile) && !loaded.accessKeyProfiles.has(profile))
    throw new UsageError(`no profile "${profile}" in ${configPath}`)
  const simulation = await simulateVend(loaded, {
    profile,
    credential,
    parameters,
    now: new Date(),
    realSecrets: values.resolve === true,
  })
  return { loaded, simulation }
}

/** The caller as JSON: who it is, never what it presented. */
export const callerJson = (simulation: VendSimulation) =>
  simulation.caller
    ? {
        id: simulation.caller.id,
        kind: simulation.caller.kind,
        authority: simulation.caller.authority,
      }
    : null

export const refusalJson = (refusal: SimulatedRefusal) => ({
  status: HTTP_STATUS[refusal.error.code],
  code: refusal.error.code,
  reason: refusal.reason,
})

/** One line: what the server would answer, and why. */
export const refusalLine = (refusal: SimulatedRefusal) =>
  `refused: the server answers ${HTTP_STATUS[refusal.error.code]} ${refusal.error.code}: ${refusal.reason}`

export const callerLine = (simulation: VendSimulation, loaded: LoadedConfig) => {
  const caller = simulation.caller
  if (!caller) return 'caller: not authenticated'
  if (caller.kind !== 'jwt') return `caller: ${caller.id} (API key ${caller.authority})`
  const issuer = loaded.config.callers.jwt.find((j) => j.id === caller.authority)
  return `caller: ${caller.id} (${issuer?.kind ?? 'login'} token of issuer ${caller.authority})`
}
