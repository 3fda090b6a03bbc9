import type { StsClient } from '../../sts/client.ts'
import type { CredentialProvider } from '../provider.ts'
import type { ReadFile } from './oidc-token-file.ts'
import { misconfigured, ProviderError } from '../provider-error.ts'

/** What the file-based providers need from their runtime. @public */
export interface ProfileDeps {
  readonly env: Readonly<Record<string, string | undefined>>
  readonly readFile: ReadFile
  /** The user's home directory (for `~/.aliyun` and `~/.alibabacloud`). */
  readonly homeDir: string
  readonly sts: StsClient
  readonly now: () => Date
  /** ECS metadata for a named role (`EcsRamRole` / `ecs_ram_role` profiles). */
  readonly instanceRole: (roleName: string) => CredentialProvider
  /** Runs an `External` profile's `process_command`; returns its stdout. Absent where processes cannot run. */
  readonly runProcess?: (command: string) => Promise<string>
  /** For profiles that fetch: CloudSSO and OAuth token exchanges, CredentialsURI mode. */
  readonly fetch: typeof fetch
  /**
   * An STS client at another endpoint, for a CLI profile's `sts_region`. Absent, such a profile
   * stops the chain rather than quietly use the default endpoint.
   */
  readonly regionalSts?: (endpoint: string) => StsClient
}

/**
 * Runs a provider on behalf of a profile that chose it: once a profile is configured, "not
 * configured" from inside it (say, metadata disabled for an EcsRamRole profile) is a broken
 * profile, and must stop the chain rather than let it fall through to another identity.
 * @internal
 */
export const asConfigured = async <T>(name: string, work: () => Promise<T>): Promise<T> => {
  try {
    return await work()
  } catch (error) {
    if (error instanceof ProviderError && error.tryNextLink)
      throw misconfigured(name, error.message)
    throw error
  }
}
