import { randomHexId } from '../runtime/deps.ts'
import { createStsClient, type StsClient } from '../sts/client.ts'
import { chain } from './chain.ts'
import { memoize } from './memoize.ts'
import type { CredentialProvider } from './provider.ts'
import { fromCliProfile } from './providers/cli-profile.ts'
import { fromCredentialsUri } from './providers/credentials-uri.ts'
import { fromEnv } from './providers/env.ts'
import { fromFcContext } from './providers/fc-context.ts'
import { fromIniFile } from './providers/ini-file.ts'
import { ENV_ECS_METADATA, fromInstanceMetadata } from './providers/instance-metadata.ts'
import { fromOidcTokenFile } from './providers/oidc-token-file.ts'
import type { ProfileDeps } from './providers/profile-deps.ts'

/** @public */
export interface ServerChainDeps extends Omit<ProfileDeps, 'instanceRole'> {
  /** Tests point this at the IMDS emulator; deployments leave it to the 100.100.100.200 constant. */
  readonly imdsEndpoint?: string
}

/**
 * credvend's own identity on Node and FC, in the official tools' order (aliyun/credentials-nodejs
 * `src/providers/default.ts`) with Function Compute's per-invocation context first: FC context →
 * environment → OIDC → CLI config.json → INI file → ECS instance role → credentials URI. Memoized
 * with refresh 15 minutes ahead of expiry, as the official Node session does.
 * @public
 */
export const serverChain = (deps: ServerChainDeps): CredentialProvider => {
  const imds = (env: Readonly<Record<string, string | undefined>>) =>
    fromInstanceMetadata({
      env,
      fetch: deps.fetch,
      ...(deps.imdsEndpoint ? { endpoint: deps.imdsEndpoint } : {}),
    })
  const regional = new Map<string, StsClient>()
  const profileDeps: ProfileDeps = {
    ...deps,
    instanceRole: (roleName) => imds({ ...deps.env, [ENV_ECS_METADATA]: roleName }),
    // A profile's sts_region: one client per endpoint, over the chain's own fetch and clock.
    regionalSts:
      deps.regionalSts ??
      ((endpoint) => {
        let client = regional.get(endpoint)
        if (!client) {
          client = createStsClient(
            { endpoint },
            { fetch: deps.fetch, now: deps.now, randomId: randomHexId },
          )
          regional.set(endpoint, client)
        }
        return client
      }),
  }
  return memoize(
    chain(
      fromFcContext(),
      fromEnv(deps.env),
      fromOidcTokenFile(deps),
      fromCliProfile(profileDeps),
      fromIniFile(profileDeps),
      imds(deps.env),
      fromCredentialsUri(deps),
    ),
    { now: deps.now },
  )
}

/**
 * Workers: secrets as environment, or a credentials URI over HTTPS. No files, no metadata service —
 * they do not exist there, and pretending would only hide a misconfiguration.
 * @public
 */
export const workersChain = (deps: {
  env: Readonly<Record<string, string | undefined>>
  fetch: typeof fetch
  now: () => Date
}): CredentialProvider =>
  memoize(chain(fromEnv(deps.env), fromCredentialsUri(deps)), {
    now: deps.now,
    sharePending: false,
  })
