import { chain } from './chain.ts'
import { memoize } from './memoize.ts'
import type { CredentialProvider } from './provider.ts'
import { fromCredentialsUri } from './providers/credentials-uri.ts'
import { fromEnv } from './providers/env.ts'
import { fromFcContext } from './providers/fc-context.ts'

/**
 * credvend's own identity on Function Compute: the function role's keys FC hands each invocation
 * (`context.credentials`, or the custom runtime's `x-fc-*` headers), then keys in the function's
 * environment, then a credentials URI. No CLI profiles, INI files, OIDC token files or ECS
 * metadata: an FC instance has none of them, and looking would only hide a misconfiguration (and
 * load code every cold instance pays for). Memoized like the server's chain.
 * @public
 */
export const fcChain = (deps: {
  env: Readonly<Record<string, string | undefined>>
  fetch: typeof fetch
  now: () => Date
}): CredentialProvider =>
  memoize(chain(fromFcContext(), fromEnv(deps.env), fromCredentialsUri(deps)), { now: deps.now })
