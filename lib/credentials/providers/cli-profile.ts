import * as z from '../../zod.ts'
import { parseTimestamp } from '../../signing/timestamp.ts'
import type { StsClient } from '../../sts/client.ts'
import type { CredentialProvider, ProviderInput } from '../provider.ts'
import { misconfigured, notConfigured } from '../provider-error.ts'
import type { Credentials } from '../types.ts'
import { assumedRole, type RoleSpec } from './assumed-role.ts'
import { cliProfileSchema, type CliProfile } from './cli-profile-schema.ts'
import { cloudSsoCredentials } from './cloud-sso-credentials.ts'
import { ENV_CREDENTIALS_URI } from './credentials-uri.ts'
import { fetchUriCredentials } from './fetch-uri-credentials.ts'
import { ENV_PROFILE } from './ini-file.ts'
import { isSwitchedOn } from './is-switched-on.ts'
import { oauthCredentials } from './oauth-credentials.ts'
import { oidcExchange } from './oidc-token-file.ts'
import { asConfigured, type ProfileDeps } from './profile-deps.ts'
import { regionalStsEndpoint } from './regional-sts-endpoint.ts'

/** @public */
export const ENV_CONFIG_FILE = 'ALIBABA_CLOUD_CONFIG_FILE'
/** @public */
export const ENV_CLI_PROFILE_DISABLED = 'ALIBABA_CLOUD_CLI_PROFILE_DISABLED'

/** The file's outline; each profile is checked in full only when the chain resolves it. */
const configFile = z.looseObject({
  current: z.optional(z.string()),
  profiles: z.array(z.looseObject({ name: z.string() })),
})

const externalOutput = z.looseObject({
  mode: z.enum(['AK', 'StsToken']),
  access_key_id: z.string().check(z.minLength(1)),
  access_key_secret: z.string().check(z.minLength(1)),
  sts_token: z.optional(z.string()),
  sts_expiration: z.optional(z.union([z.string(), z.number()])),
})

const need = (p: CliProfile, name: string, keys: Array<keyof CliProfile>) => {
  const missing = keys.filter((k) => !p[k])
  if (missing.length > 0) throw misconfigured(name, `missing ${missing.join(', ')}`)
}

/**
 * The Alibaba CLI's `~/.aliyun/config.json` (or `ALIBABA_CLOUD_CONFIG_FILE`), profile by
 * `ALIBABA_CLOUD_PROFILE` then `current`; modes AK, StsToken, RamRoleArn, EcsRamRole, OIDC,
 * ChainableRamRoleArn (recursing through `source_profile`, cycles refused), External
 * (`process_command`), CloudSSO and OAuth (the login the CLI stored; see their files) and
 * CredentialsURI (`credentials_uri`). Role profiles honour `external_id` and `sts_region` (with
 * `enable_vpc`) as the aliyun CLI and aliyun/credentials-go do.
 * @public
 */
export const fromCliProfile =
  (deps: ProfileDeps): CredentialProvider =>
  async (input) => {
    if (isSwitchedOn(deps.env, ENV_CLI_PROFILE_DISABLED))
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
    const byName = new Map<string, unknown>(parsed.profiles.map((p) => [p.name, p]))
    if (!byName.has(wanted)) throw notConfigured('cli-profile', `no profile "${wanted}"`)
    return resolveProfile(wanted, byName, deps, [], input)
  }

/** Field names and what is wrong with them; never the values. */
const describeIssues = (issues: readonly { path: PropertyKey[]; message: string }[]) =>
  issues.map((i) => `${i.path.map(String).join('.')}: ${i.message}`).join('; ')

/** The STS a role profile's `sts_region` picks, or the chain's own. */
const stsFor = (p: CliProfile, name: string, deps: ProfileDeps): StsClient => {
  if (!p.sts_region) return deps.sts
  const endpoint = regionalStsEndpoint(p.sts_region, p.enable_vpc === true)
  if (!endpoint) throw misconfigured(name, 'sts_region is not a region id')
  if (!deps.regionalSts)
    throw misconfigured(name, 'sts_region is set, and this runtime has no regional STS client')
  return deps.regionalSts(endpoint)
}

const resolveProfile = async (
  profileName: string,
  byName: ReadonlyMap<string, unknown>,
  deps: ProfileDeps,
  visiting: readonly string[],
  input: ProviderInput | undefined,
): Promise<Credentials> => {
  const name = `cli-profile:${profileName}`
  if (visiting.includes(profileName))
    throw misconfigured(name, `source_profile cycle: ${[...visiting, profileName].join(' -> ')}`)
  if (!byName.has(profileName))
    throw misconfigured(name, 'source_profile names a profile that does not exist')
  const checked = cliProfileSchema.safeParse(byName.get(profileName))
  if (!checked.success) throw misconfigured(name, describeIssues(checked.error.issues))
  const p = checked.data
  const role = (): RoleSpec => ({
    roleArn: p.ram_role_arn!,
    sessionName: p.ram_session_name,
    durationSeconds: p.duration_seconds ?? p.expired_seconds,
    externalId: p.external_id || undefined,
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
      return assumedRole(name, source, role(), { ...deps, sts: stsFor(p, name, deps) })(input)
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
        { ...deps, sts: stsFor(p, name, deps) },
      )(input)
    case 'ChainableRamRoleArn': {
      need(p, name, ['source_profile', 'ram_role_arn'])
      const sts = stsFor(p, name, deps)
      const source: CredentialProvider = (i) =>
        resolveProfile(p.source_profile!, byName, deps, [...visiting, profileName], i)
      return assumedRole(name, source, role(), { ...deps, sts })(input)
    }
    case 'External':
      return runExternal(p, name, deps)
    case 'CloudSSO':
      return cloudSsoCredentials(p, name, deps)
    case 'OAuth':
      return oauthCredentials(p, name, deps)
    case 'CredentialsURI': {
      // The CLI falls back to the variable when the profile names no URI (config/profile.go).
      const uri = p.credentials_uri || deps.env[ENV_CREDENTIALS_URI]
      if (!uri) throw misconfigured(name, `missing credentials_uri (and ${ENV_CREDENTIALS_URI})`)
      return fetchUriCredentials(name, uri, 'credentials_uri', deps, { requireSuccess: true })
    }
    default:
      throw misconfigured(name, `unsupported profile mode "${p.mode}"`)
  }
}

const runExternal = async (
  p: CliProfile,
  name: string,
  deps: ProfileDeps,
): Promise<Credentials> => {
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
