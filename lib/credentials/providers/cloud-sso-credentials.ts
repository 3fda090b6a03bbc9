import * as z from '../../zod.ts'
import { misconfigured } from '../provider-error.ts'
import type { Credentials } from '../types.ts'
import { CACHED_STS_FRESH_MS, cachedSts } from './cached-sts.ts'
import type { CliProfile } from './cli-profile-schema.ts'
import { postForCredentials } from './post-for-credentials.ts'
import { rfc3339Schema } from './rfc3339-schema.ts'

const nonEmpty = z.string().check(z.minLength(1))

/** The portal's answer (aliyun/aliyun-cli cloudsso/refresh.go `CloudCredentialResponseRaw`). */
const cloudCredentialReply = z.looseObject({
  CloudCredential: z.looseObject({
    AccessKeyId: nonEmpty,
    AccessKeySecret: nonEmpty,
    SecurityToken: nonEmpty,
    Expiration: rfc3339Schema,
  }),
})

/**
 * A CloudSSO profile of the aliyun CLI. Its login is the access token the CLI stored at
 * `aliyun configure --mode CloudSSO` (`access_token`, valid until `cloud_sso_access_token_expire`);
 * credvend never logs in or refreshes that token, so an expired one stops the chain with the
 * command that logs in again — the command CloudSSO's guide gives
 * (https://www.alibabacloud.com/help/en/cloudsso/user-guide/use-alibaba-cloud-cli-to-access-cloudsso-and-alibaba-cloud-resources).
 * With a valid token: the STS credentials the CLI cached in the profile while they last more than
 * 15 minutes (as the CLI uses them), else a fresh exchange at the sign-in URL's
 * `/cloud-credentials` with the account and access configuration, as both the CLI
 * (cloudsso/refresh.go) and @alicloud/credentials 2.4.7 (dist/src/providers/cloud_sso.js) make it.
 * @internal
 */
export const cloudSsoCredentials = async (
  p: CliProfile,
  source: string,
  deps: { fetch: typeof fetch; now: () => Date },
): Promise<Credentials> => {
  const configure = `aliyun configure --profile ${p.name} --mode CloudSSO`
  const missing = (
    ['cloud_sso_sign_in_url', 'cloud_sso_account_id', 'cloud_sso_access_config'] as const
  ).filter((k) => !p[k])
  if (missing.length > 0)
    throw misconfigured(
      source,
      `missing ${missing.join(', ')}: set the profile up with \`${configure}\``,
    )
  const now = deps.now()
  if (!p.access_token || !p.cloud_sso_access_token_expire)
    throw misconfigured(source, `no CloudSSO login yet: log in with \`${configure}\``)
  if (p.cloud_sso_access_token_expire * 1000 <= now.getTime())
    throw misconfigured(
      source,
      `the CloudSSO login has expired: log in again with \`${configure}\``,
    )
  const cached = cachedSts(p, source, now)
  if (cached && cached.expiration.getTime() - now.getTime() > CACHED_STS_FRESH_MS) return cached
  let signIn: URL
  try {
    signIn = new URL(p.cloud_sso_sign_in_url!)
  } catch {
    throw misconfigured(source, 'cloud_sso_sign_in_url is not a URL')
  }
  try {
    const reply = await postForCredentials(
      source,
      new URL('/cloud-credentials', signIn.origin),
      p.access_token,
      JSON.stringify({
        AccountId: p.cloud_sso_account_id,
        AccessConfigurationId: p.cloud_sso_access_config,
      }),
      deps,
      `log in again with \`${configure}\``,
    )
    const parsed = cloudCredentialReply.safeParse(reply)
    if (!parsed.success)
      throw misconfigured(source, `${signIn.origin} answered without credentials`)
    const c = parsed.data.CloudCredential
    return {
      accessKeyId: c.AccessKeyId,
      accessKeySecret: c.AccessKeySecret,
      securityToken: c.SecurityToken,
      expiration: c.Expiration,
      source,
    }
  } catch (error) {
    // Near their end, cached credentials still beat none: the next refresh tries again.
    if (cached) return cached
    throw error
  }
}
