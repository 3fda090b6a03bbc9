import type { CredentialProvider } from '../provider.ts'
import { misconfigured, notConfigured } from '../provider-error.ts'
import { assumedRole } from './assumed-role.ts'
import { oidcExchange } from './oidc-token-file.ts'
import { parseIni } from './parse-ini.ts'
import { asConfigured, type ProfileDeps } from './profile-deps.ts'

/** @public */
export const ENV_CREDENTIALS_FILE = 'ALIBABA_CLOUD_CREDENTIALS_FILE'
/** @public */
export const ENV_PROFILE = 'ALIBABA_CLOUD_PROFILE'

/** A profile's value as text: the official parser may hand numbers and booleans too. */
const textOf = (value: unknown): string | undefined =>
  typeof value === 'string'
    ? value
    : typeof value === 'number' || typeof value === 'boolean'
      ? String(value)
      : undefined

type Profile = Readonly<Record<string, unknown>>

const required = (profile: Profile, name: string, keys: string[]) => {
  const values = keys.map((k) => textOf(profile[k]))
  const missing = keys.filter((_, i) => !values[i])
  if (missing.length > 0) throw misconfigured(name, `missing ${missing.join(', ')}`)
  return values as string[]
}

/**
 * The INI credentials file (`~/.alibabacloud/credentials`, `.ini`, or
 * `ALIBABA_CLOUD_CREDENTIALS_FILE`), profile `ALIBABA_CLOUD_PROFILE` or `default`, types
 * access_key, sts, ram_role_arn, ecs_ram_role and oidc_role_arn. `rsa_key_pair` is retired by
 * Alibaba and refused with a clear error. The file is read as the official Node chain reads it
 * (`parseIni`): inline comments cut, quoted values unquoted, dotted section names nested.
 * @public
 */
export const fromIniFile =
  (deps: ProfileDeps): CredentialProvider =>
  async (input) => {
    const explicit = deps.env[ENV_CREDENTIALS_FILE]
    const candidates = explicit
      ? [explicit]
      : [
          `${deps.homeDir}/.alibabacloud/credentials`,
          `${deps.homeDir}/.alibabacloud/credentials.ini`,
        ]
    let text: string | undefined
    let path = ''
    for (const candidate of candidates) {
      text = await deps.readFile(candidate)
      path = candidate
      if (text !== undefined) break
    }
    if (text === undefined) {
      if (explicit)
        throw misconfigured('ini-file', `${ENV_CREDENTIALS_FILE} names a file that cannot be read`)
      throw notConfigured('ini-file', 'no credentials file')
    }
    const profileName = deps.env[ENV_PROFILE] || 'default'
    let sections: Readonly<Record<string, unknown>>
    try {
      sections = parseIni(text)
    } catch {
      // The official chain cannot parse it either, and moves on; a file that is there stops ours.
      throw misconfigured('ini-file', `${path} cannot be parsed as the official tools parse it`)
    }
    const entry = Object.hasOwn(sections, profileName) ? sections[profileName] : undefined
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry))
      throw notConfigured('ini-file', `no profile "${profileName}" in ${path}`)
    const profile = entry as Profile
    if (textOf(profile.enable) === 'false')
      throw notConfigured('ini-file', `profile "${profileName}" in ${path} has enable = false`)
    const name = `ini-file:${profileName}`
    const type = textOf(profile.type)
    switch (type) {
      case 'access_key': {
        const [id, secret] = required(profile, name, ['access_key_id', 'access_key_secret'])
        return { accessKeyId: id!, accessKeySecret: secret!, source: name }
      }
      case 'sts': {
        const [id, secret, token] = required(profile, name, [
          'access_key_id',
          'access_key_secret',
          'security_token',
        ])
        return { accessKeyId: id!, accessKeySecret: secret!, securityToken: token!, source: name }
      }
      case 'ram_role_arn': {
        const [id, secret, roleArn] = required(profile, name, [
          'access_key_id',
          'access_key_secret',
          'role_arn',
        ])
        const source: CredentialProvider = async () => ({
          accessKeyId: id!,
          accessKeySecret: secret!,
          source: name,
        })
        return assumedRole(
          name,
          source,
          {
            roleArn: roleArn!,
            sessionName: textOf(profile.role_session_name),
            durationSeconds: undefined,
            policy: textOf(profile.policy),
          },
          deps,
        )(input)
      }
      case 'ecs_ram_role': {
        const [roleName] = required(profile, name, ['role_name'])
        return {
          ...(await asConfigured(name, () => deps.instanceRole(roleName!)(input))),
          source: name,
        }
      }
      case 'oidc_role_arn': {
        const [roleArn, providerArn, tokenFile] = required(profile, name, [
          'role_arn',
          'oidc_provider_arn',
          'oidc_token_file_path',
        ])
        return oidcExchange(
          name,
          {
            roleArn: roleArn!,
            providerArn: providerArn!,
            tokenFile: tokenFile!,
            sessionName: textOf(profile.role_session_name),
            durationSeconds: undefined,
          },
          deps,
        )(input)
      }
      default:
        throw misconfigured(name, `unsupported credential type "${type ?? ''}"`)
    }
  }
