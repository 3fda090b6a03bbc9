/**
 * The official default chain (@alicloud/credentials 2.4.7, dist/src/providers/default.js) asks,
 * in order: the AccessKey variables (env.js), OIDC (oidc_role_arn.js), the aliyun CLI's
 * `~/.aliyun/config.json` (cli_profile.js), the INI file `~/.alibabacloud/credentials`
 * (profile.js), the ECS metadata service (ecs_ram_role.js) — and only then
 * ALIBABA_CLOUD_CREDENTIALS_URI (uri.js). Whatever a parent holds for the earlier ones would
 * shadow the credentials credvend hands its child.
 */

/**
 * Variables that supply or select a higher-ranked source, dropped from the child's environment.
 * The aliases come from the aliyun CLI (aliyun-cli config/profile.go, `OverwriteWithFlags`): the
 * child gets none of the parent's own credentials under any name.
 */
export const SHADOWING_VARIABLES = [
  // env.js, and the legacy dist/src/provider/environment_variable_credentials_provider.js
  'ALIBABA_CLOUD_ACCESS_KEY_ID',
  'ALIBABA_CLOUD_ACCESS_KEY_SECRET',
  'ALIBABA_CLOUD_SECURITY_TOKEN',
  // oidc_role_arn.js: the provider joins the chain when all three are set
  'ALIBABA_CLOUD_ROLE_ARN',
  'ALIBABA_CLOUD_OIDC_PROVIDER_ARN',
  'ALIBABA_CLOUD_OIDC_TOKEN_FILE',
  'ALIBABA_CLOUD_ROLE_SESSION_NAME',
  // cli_profile.js and profile.js: which profile of either file
  'ALIBABA_CLOUD_PROFILE',
  // ecs_ram_role.js: the instance role's name
  'ALIBABA_CLOUD_ECS_METADATA',
  // uri.js: replaced by credvend's own
  'ALIBABA_CLOUD_CREDENTIALS_URI',
  // aliyun-cli config/profile.go
  'ALIBABACLOUD_ACCESS_KEY_ID',
  'ALICLOUD_ACCESS_KEY_ID',
  'ALIBABACLOUD_ACCESS_KEY_SECRET',
  'ALICLOUD_ACCESS_KEY_SECRET',
  'ALIBABACLOUD_SECURITY_TOKEN',
  'ALICLOUD_SECURITY_TOKEN',
  'ALIBABACLOUD_ROLE_ARN',
  'ALIBABACLOUD_OIDC_PROVIDER_ARN',
  'ALIBABACLOUD_OIDC_TOKEN_FILE',
  'ALIBABACLOUD_PROFILE',
  'ALICLOUD_PROFILE',
] as const

/**
 * What switches the remaining sources off. cli_profile.js and ecs_ram_role.js leave the chain
 * when their switch is `true` (credentials-go's cli_profile.go compares with exactly "true"). The
 * CLI file's location is fixed to the home directory (os.homedir()), so its switch is its only
 * control; the INI file has no switch, only ALIBABA_CLOUD_CREDENTIALS_FILE (profile.js), so it
 * points at an empty file: a missing profile there is an error the chain skips.
 */
const isolationVariables = (neutralCredentialsFile: string) => ({
  ALIBABA_CLOUD_CLI_PROFILE_DISABLED: 'true',
  ALIBABA_CLOUD_ECS_METADATA_DISABLED: 'true',
  ALIBABA_CLOUD_CREDENTIALS_FILE: neutralCredentialsFile,
})

/**
 * The environment for a program that must get its Alibaba credentials from credvend only: the
 * parent's, minus every variable that supplies or selects a higher-ranked source, with the
 * remaining sources switched off, and `credentials` (the credentials URI, or an access-key
 * profile's variables) on top.
 */
export const childEnv = (
  parent: NodeJS.ProcessEnv,
  neutralCredentialsFile: string,
  credentials: Readonly<Record<string, string>>,
): NodeJS.ProcessEnv => {
  const dropped = new Set<string>(SHADOWING_VARIABLES)
  return {
    ...Object.fromEntries(Object.entries(parent).filter(([name]) => !dropped.has(name))),
    ...isolationVariables(neutralCredentialsFile),
    ...credentials,
  }
}

/** A value as one POSIX shell word, whatever it holds. */
export const shellQuote = (value: string) => `'${value.replace(/'/g, `'\\''`)}'`

/** The same environment as lines a POSIX shell can paste, for a program started by hand. */
export const childEnvShellLines = (
  neutralCredentialsFile: string,
  credentials: Readonly<Record<string, string>>,
): string[] => [
  `unset ${SHADOWING_VARIABLES.join(' ')}`,
  ...Object.entries({ ...isolationVariables(neutralCredentialsFile), ...credentials }).map(
    ([name, value]) => `export ${name}=${shellQuote(value)}`,
  ),
]
