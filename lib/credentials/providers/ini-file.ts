import type { CredentialProvider } from '../provider.ts'
import { misconfigured, notConfigured } from '../provider-error.ts'
import { assumedRole } from './assumed-role.ts'
import { oidcExchange } from './oidc-token-file.ts'
import { asConfigured, type ProfileDeps } from './profile-deps.ts'

/** @public */
export const ENV_CREDENTIALS_FILE = 'ALIBABA_CLOUD_CREDENTIALS_FILE'
/** @public */
export const ENV_PROFILE = 'ALIBABA_CLOUD_PROFILE'

/** `[section]` / `key = value` with `;` and `#` comments. @internal */
const parseIni = (text: string): Map<string, Map<string, string>> => {
  const sections = new Map<string, Map<string, string>>()
  let current: Map<string, string> | undefined
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim()
    if (line === '' || line.startsWith(';') || line.startsWith('#')) continue
    const section = /^\[(.+)\]$/.exec(line)
    if (section) {
      current = new Map()
      sections.set(section[1]!.trim(), current)
      continue
    }
    const eq = line.indexOf('=')
    if (current && eq > 0) current.set(line.slice(0, eq).trim(), line.slice(eq + 1).trim())
  }
  return sections
}

const required = (profile: Map<string, string>, name: string, keys: string[]) => {
  const missing = keys.filter((k) => !profile.get(k))
  if (missing.length > 0) throw misconfigured(name, `missing ${missing.join(', ')}`)
  return keys.map((k) => profile.get(k)!)
}

/**
 * The INI credentials file (`~/.alibabacloud/credentials`, `.ini`, or
 * `ALIBABA_CLOUD_CREDENTIALS_FILE`), profile `ALIBABA_CLOUD_PROFILE` or `default`, types
 * access_key, sts, ram_role_arn, ecs_ram_role and oidc_role_arn. `rsa_key_pair` is retired by
 * Alibaba and refused with a clear error.
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
    const profile = parseIni(text).get(profileName)
    if (!profile || profile.get('enable') === 'false')
      throw notConfigured('ini-file', `no enabled profile "${profileName}" in ${path}`)
    const name = `ini-file:${profileName}`
    const type = profile.get('type')
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
            sessionName: profile.get('role_session_name'),
            durationSeconds: undefined,
            policy: profile.get('policy'),
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
            sessionName: profile.get('role_session_name'),
            durationSeconds: undefined,
          },
          deps,
        )(input)
      }
      default:
        throw misconfigured(name, `unsupported credential type "${type ?? ''}"`)
    }
  }
