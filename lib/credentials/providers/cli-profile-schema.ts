import * as z from '../../zod.ts'

const text = z.optional(z.string())
const seconds = z.optional(z.number())

/**
 * One profile of the aliyun CLI's `config.json`, the fields credvend reads (aliyun/aliyun-cli
 * config/profile.go `Profile`; `enable_vpc` from aliyun/credentials-go
 * credentials/providers/cli_profile.go). CloudSSO and OAuth profiles keep their login in the
 * profile itself — `access_token` with `cloud_sso_access_token_expire`, or `oauth_access_token`
 * with `oauth_access_token_expire` — and the CLI caches the STS credentials it exchanged them for
 * in `access_key_id`, `access_key_secret`, `sts_token` and `sts_expiration` (all times in Unix
 * seconds); there is no separate cache file.
 * @internal
 */
export const cliProfileSchema = z.looseObject({
  name: z.string(),
  mode: z.string(),
  access_key_id: text,
  access_key_secret: text,
  sts_token: text,
  sts_expiration: seconds,
  ram_role_arn: text,
  ram_session_name: text,
  expired_seconds: seconds,
  duration_seconds: seconds,
  external_id: text,
  sts_region: text,
  enable_vpc: z.optional(z.boolean()),
  ram_role_name: text,
  oidc_token_file: text,
  oidc_provider_arn: text,
  source_profile: text,
  process_command: text,
  credentials_uri: text,
  cloud_sso_sign_in_url: text,
  cloud_sso_account_id: text,
  cloud_sso_access_config: text,
  access_token: text,
  cloud_sso_access_token_expire: seconds,
  oauth_access_token: text,
  oauth_access_token_expire: seconds,
  oauth_site_type: text,
})

/** @internal */
export type CliProfile = z.infer<typeof cliProfileSchema>
