import type { Credentials } from '../types.ts'
import type { CliProfile } from './cli-profile-schema.ts'

/**
 * The STS credentials the aliyun CLI left in a CloudSSO or OAuth profile after its last exchange
 * (aliyun/aliyun-cli config/profile.go, `mergeProfileAfterCredentialRefresh`), while they are
 * still valid at `now`.
 * @internal
 */
export const cachedSts = (
  p: CliProfile,
  source: string,
  now: Date,
): (Credentials & { expiration: Date }) | undefined => {
  if (!p.access_key_id || !p.access_key_secret || !p.sts_token || !p.sts_expiration)
    return undefined
  const expiration = new Date(p.sts_expiration * 1000)
  if (expiration <= now) return undefined
  return {
    accessKeyId: p.access_key_id,
    accessKeySecret: p.access_key_secret,
    securityToken: p.sts_token,
    expiration,
    source,
  }
}

/**
 * How long cached credentials must still last to be used instead of a fresh exchange: the
 * memoized chain refreshes 15 minutes ahead (memoize.ts), and credentials closer to their end
 * would be read again on every request until they expire.
 * @internal
 */
export const CACHED_STS_FRESH_MS = 15 * 60_000
