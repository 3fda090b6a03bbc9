import * as z from '../../zod.ts'
import { parseTimestamp } from '../../signing/timestamp.ts'
import type { CredentialProvider, ProviderInput } from '../provider.ts'
import { misconfigured, notConfigured } from '../provider-error.ts'
import type { Credentials } from '../types.ts'
import { assumedRole } from './assumed-role.ts'
import { ENV_PROFILE } from './ini-file.ts'
import { oidcExchange } from './oidc-token-file.ts'
import { asConfigured, type ProfileDeps } from './profile-deps.ts'

/** @public */
export const ENV_CONFIG_FILE = 'ALIBABA_CLOUD_CONFIG_FILE'
/** @public */
export const ENV_CLI_PROFILE_DISABLED = 'ALIBABA_CLOUD_CLI_PROFILE_DISABLED'

const profileSchema = z.looseObject({
  name: z.string(),
  mode: z.string(),
  access_key_id: z.optional(z.string()),
  access_key_secret: z.optional(z.string()),
  sts_token: z.optional(z.string()),
  ram_role_arn: z.optional(z.string()),
  ram_session_name: z.optional(z.string()),
  expired_seconds: z.optional(z.number()),
  duration_seconds: z.optional(z.number()),
  ram_role_name: z.optional(z.string()),
  oidc_token_file: z.optional(z.string()),
  oidc_provider_arn: z.optional(z.string()),
  source_profile: z.optional(z.string()),
  process_command: z.optional(z.string()),
})
type Profile = z.infer<typeof profileSchema>
const configFile = z.looseObject({
  current: z.optional(z.string()),
  profiles: z.array(profileSchema),
})

const externalOutput = z.looseObject({
  mode: z.enum(['AK', 'StsToken']),
  access_key_id: z.string().check(z.minLength(1)),
  access_key_secret: z.string().check(z.minLength(1)),
  sts_token: z.optional(z.string()),
  sts_expiration: z.optional(z.union([z.string(), z.number()])),
})

const need = (p: Profile, name: string, keys: Array<keyof Profile>) => {
  const missing = keys.filter((k) => !p[k])
  if (missing.length > 0) throw misconfigured(name, `missing ${missing.join(', ')}`)
}

/**
 * The Alibaba CLI's `~/.aliyun/config.json` (or `ALIBABA_CLOUD_CONFIG_FILE`), profile by
 * `ALIBABA_CLOUD_PROFILE` then `current`; modes AK, StsToken, RamRoleArn, EcsRamRole, OIDC,
 * ChainableRamRoleArn (recursing through `source_profile`, cycles refused) and External
 * (`process_command`). CloudSSO and OAuth are refused as unsupported.
 * @public
 */
export const fromCliProfile =
  (deps: ProfileDeps): CredentialProvider =>
  async (input) => {
    if (deps.env[ENV_CLI_PROFILE_DISABLED] === 'true')
      throw notConfigured('cli-profile', `${ENV_CLI_PROFILE_DISABLED}=true`)
    const path = deps.env[ENV_CONFIG_FILE] ?? `${deps.homeDir}/.aliyun/config.json`
    const text = await deps.readFile(path)
    if (text === undefined) {
      if (deps.env[ENV_CONFIG_FILE])
        throw misconfigured('cli-profile', `${ENV_CONFIG_FILE} names a file that cannot be read`)
      throw notConfigured('cli-profile', 'no CLI config file')
    }
    let parsed: z.infer<typeof configFile>
    try {
      parsed = configFile.parse(JSON.parse(text))
    } catch {
      throw misconfigured('cli-profile', `${path} is not a CLI config file`)
    }
    const wanted = deps.env[ENV_PROFILE] || parsed.current
    if (!wanted) throw notConfigured('cli-profile', 'no current profile')
    const byName = new Map(parsed.profiles.map((p) => [p.name, p]))
    if (!byName.has(wanted)) throw notConfigured('cli-profile', `no profile "${wanted}"`)
    return resolveProfile(wanted, byName, deps, [], input)
  }

const resolveProfile = async (
  profileName: string,
  byName: ReadonlyMap<string, Profile>,
  deps: ProfileDeps,
  visiting: readonly string[],
  input: ProviderInput | undefined,
): Promise<Credentials> => {
  const name = `cli-profile:${profileName}`
  if (visiting.includes(profileName))
    throw misconfigured(name, `source_profile cycle: ${[...visiting, profileName].join(' -> ')}`)
  const p = byName.get(profileName)
  if (!p) throw misconfigured(name, 'source_profile names a profile that does not exist')
  const role = () => ({
    roleArn: p.ram_role_arn!,
    sessionName: p.ram_session_name,
    durationSeconds: p.duration_seconds ?? p.expired_seconds,
  })
  switch (p.mode) {
    case 'AK':
      need(p, name, ['access_key_id', 'access_key_secret'])
      return { accessKeyId: p.access_key_id!, accessKeySecret: p.access_key_secret!, source: name }
    case 'StsToken':
      need(p, name, ['access_key_id', 'access_key_secret', 'sts_token'])
      return {
        accessKeyId: p.access_key_id!,
        accessKeySecret: p.access_key_secret!,
        securityToken: p.sts_token!,
        source: name,
      }
    case 'RamRoleArn': {
      need(p, name, ['access_key_id', 'access_key_secret', 'ram_role_arn'])
      const source: CredentialProvider = async () => ({
        accessKeyId: p.access_key_id!,
        accessKeySecret: p.access_key_secret!,
        source: name,
      })
      return assumedRole(name, source, role(), deps)(input)
    }
    case 'EcsRamRole':
      need(p, name, ['ram_role_name'])
      return {
        ...(await asConfigured(name, () => deps.instanceRole(p.ram_role_name!)(input))),
        source: name,
      }
    case 'OIDC':
      need(p, name, ['ram_role_arn', 'oidc_provider_arn', 'oidc_token_file'])
      return oidcExchange(
        name,
        {
          roleArn: p.ram_role_arn!,
          providerArn: p.oidc_provider_arn!,
          tokenFile: p.oidc_token_file!,
          sessionName: p.ram_session_name,
          durationSeconds: p.duration_seconds ?? p.expired_seconds,
        },
        deps,
      )(input)
    case 'ChainableRamRoleArn': {
      need(p, name, ['source_profile', 'ram_role_arn'])
      const source: CredentialProvider = (i) =>
        resolveProfile(p.source_profile!, byName, deps, [...visiting, profileName], i)
      return assumedRole(name, source, role(), deps)(input)
    }
    case 'External':
      return runExternal(p, name, deps)
    default:
      throw misconfigured(name, `unsupported profile mode "${p.mode}"`)
  }
}

const runExternal = async (p: Profile, name: string, deps: ProfileDeps): Promise<Credentials> => {
  need(p, name, ['process_command'])
  if (!deps.runProcess)
    throw misconfigured(name, 'External profiles cannot run processes on this runtime')
  let out: z.infer<typeof externalOutput>
  try {
    out = externalOutput.parse(JSON.parse(await deps.runProcess(p.process_command!)))
  } catch (error) {
    throw misconfigured(name, 'process_command failed or printed no credentials', error)
  }
  const expiration =
    typeof out.sts_expiration === 'number'
      ? new Date(out.sts_expiration * 1000)
      : out.sts_expiration
        ? parseTimestamp(out.sts_expiration)
        : undefined
  if (out.mode === 'StsToken' && !out.sts_token)
    throw misconfigured(name, 'process_command printed StsToken without sts_token')
  return {
    accessKeyId: out.access_key_id,
    accessKeySecret: out.access_key_secret,
    ...(out.sts_token ? { securityToken: out.sts_token } : {}),
    ...(expiration ? { expiration } : {}),
    source: name,
  }
}
