import type { Credentials } from './types.ts'
import type { CredentialProvider, ProviderInput } from './provider.ts'

/**
 * Caches a provider's credentials and refreshes them ahead of expiry, one refresh at a time
 * (single flight) — while a refresh fails, still-valid credentials keep being served. Credentials
 * without an expiration are constant. Per-request input (the FC context) bypasses the cache: FC
 * hands fresh credentials to every invocation.
 * @public
 */
export const memoize = (
  provider: CredentialProvider,
  options: { now: () => Date; refreshBeforeMs?: number; sharePending?: boolean },
): CredentialProvider => {
  const refreshBeforeMs = options.refreshBeforeMs ?? 15 * 60_000
  let current: Credentials | undefined
  let pending: Promise<Credentials> | undefined

  const refresh = (input?: ProviderInput): Promise<Credentials> => {
    if (pending) return pending
    const attempt = provider(input).then((credentials) => {
      current = credentials
      return credentials
    })
    if (options.sharePending === false) return attempt
    const shared: Promise<Credentials> = attempt.finally(() => {
      if (pending === shared) pending = undefined
    })
    pending = shared
    return shared
  }

  return async (input) => {
    if (input?.fcCredentials) return provider(input)
    if (current && !current.expiration) return current
    const now = options.now().getTime()
    if (current?.expiration && current.expiration.getTime() - now > refreshBeforeMs) return current
    if (current?.expiration && current.expiration.getTime() > now) {
      // Inside the refresh window but still valid: refresh, and fall back to what we have.
      return refresh(input).catch(() => current!)
    }
    return refresh(input)
  }
}
