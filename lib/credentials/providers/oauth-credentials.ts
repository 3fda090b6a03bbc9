import * as z from '../../zod.ts'
import { misconfigured } from '../provider-error.ts'
import type { Credentials } from '../types.ts'
import { CACHED_STS_FRESH_MS, cachedSts } from './cached-sts.ts'
import type { CliProfile } from './cli-profile-schema.ts'
import { postForCredentials } from './post-for-credentials.ts'
import { rfc3339Schema } from './rfc3339-schema.ts'

/**
 * The OAuth service per `oauth_site_type`: the same constants in @alicloud/credentials 2.4.7
 * (dist/src/providers/cli_profile.js `OAUTH_BASE_URL_MAP`) and the aliyun CLI
 * (aliyun/aliyun-cli config/configure.go `oauthBaseUrlMap`).
 */
const OAUTH_SERVICE: Readonly<Record<string, string>> = {
  CN: 'https://oauth.aliyun.com',
  INTL: 'https://oauth.alibabacloud.com',
}

const nonEmpty = z.string().check(z.minLength(1))

/** `/v1/exchange`'s answer (dist/src/providers/oauth.js; config/configure.go `exchangeFromOAuth`). */
const exchangeReply = z.looseObject({
  accessKeyId: nonEmpty,
  accessKeySecret: nonEmpty,
  securityToken: nonEmpty,
  expiration: rfc3339Schema,
})

/**
 * An OAuth profile of the aliyun CLI. The STS credentials the CLI cached in the profile while
 * they last more than 15 minutes; else, while `oauth_access_token` is valid, a fresh
 * `POST /v1/exchange` with it, as the CLI and @alicloud/credentials 2.4.7
 * (dist/src/providers/oauth.js) make it; else whatever cached credentials remain. credvend never
 * spends the refresh token: the service answers a refresh with a new one (oauth.js and
 * configure.go `tryRefreshOauthToken` both store it), and credvend does not write the CLI's file,
 * so refreshing would strand the CLI's own login. An expired login therefore stops the chain
 * with what renews it: any aliyun command with the profile (the CLI refreshes on use,
 * config/profile.go `case OAuth`), or a new login, the command the CLI itself prints
 * (`buildReLoginOauthCommand`).
 * @internal
 */
export const oauthCredentials = async (
  p: CliProfile,
  source: string,
  deps: { fetch: typeof fetch; now: () => Date },
): Promise<Credentials> => {
  const site = (p.oauth_site_type ?? '').toUpperCase()
  const service = OAUTH_SERVICE[site]
  const login = `aliyun configure --mode OAuth --oauth-site-type ${site || 'CN'} --profile ${p.name}`
  if (!service)
    throw misconfigured(
      source,
      `oauth_site_type is not CN or INTL: set the profile up with \`${login}\``,
    )
  const now = deps.now()
  const cached = cachedSts(p, source, now)
  if (cached && cached.expiration.getTime() - now.getTime() > CACHED_STS_FRESH_MS) return cached
  const token = p.oauth_access_token
  if (
    !token ||
    !p.oauth_access_token_expire ||
    p.oauth_access_token_expire * 1000 <= now.getTime()
  ) {
    if (cached) return cached
    throw misconfigured(
      source,
      `the OAuth access token and the STS credentials cached with it have expired: run any aliyun command with --profile ${p.name} to refresh them, or log in again with \`${login}\``,
    )
  }
  try {
    const reply = await postForCredentials(
      source,
      new URL('/v1/exchange', service),
      token,
      undefined,
      deps,
      `log in again with \`${login}\``,
    )
    const parsed = exchangeReply.safeParse(reply)
    if (!parsed.success) throw misconfigured(source, `${service} answered without credentials`)
    return {
      accessKeyId: parsed.data.accessKeyId,
      accessKeySecret: parsed.data.accessKeySecret,
      securityToken: parsed.data.securityToken,
      expiration: parsed.data.expiration,
      source,
    }
  } catch (error) {
    if (cached) return cached
    throw error
  }
}
