import * as z from '../zod.ts'
import { authError } from '../auth/jwt-errors.ts'
import { isVendError } from '../errors.ts'
import { callOpenApi } from '../openapi/call.ts'
import { LOGIN_LANE } from '../upstream/fair-lanes.ts'
import { percentEncode } from '../signing/percent-encode.ts'
import { parseTimestamp } from '../signing/timestamp.ts'
import { STS_VERSION } from '../sts/client.ts'
import { stsErrors } from '../sts/errors.ts'
import { callerIdentityReply } from '../sts/schemas.ts'
import { createNonceWindow, type NonceClaims } from './nonce-window.ts'
import { issueSessionToken, type AlibabaIdentity } from './session-token.ts'

/**
 * The only body credvend accepts: the signed parameters of one STS GetCallerIdentity, nothing
 * else — no URL, no host, no extra parameter (strict), so the caller cannot steer where credvend
 * sends it or what it asks.
 * @public
 */
export const alibabaLoginBodySchema = z.strictObject({
  params: z.strictObject({
    // Only a role session can log in (STS answers AssumedRoleUser for nothing else): a long-term
    // key or a missing token is refused here, before it can spend an STS call.
    AccessKeyId: z.string().check(z.regex(/^STS\.[A-Za-z0-9]{8,124}$/)),
    Action: z.literal('GetCallerIdentity'),
    Version: z.literal(STS_VERSION),
    Format: z.optional(z.literal('JSON')),
    SignatureMethod: z.literal('HMAC-SHA1'),
    SignatureVersion: z.literal('1.0'),
    SignatureNonce: z.string().check(z.regex(/^[A-Za-z0-9_-]{8,64}$/)),
    Timestamp: z.string().check(z.regex(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/)),
    Signature: z.string().check(z.regex(/^[A-Za-z0-9+/]{27}=$/, 'a base64 HMAC-SHA1')),
    SecurityToken: z.string().check(z.minLength(1), z.maxLength(8192)),
  }),
})

/** `acs:ram::<account>:assumed-role/<role>/<session>`, parsed; the session part is the caller's choice and ignored. */
const ASSUMED_ROLE_ARN = /^acs:ram::(\d{16}):assumed-role\/([A-Za-z0-9._@-]{1,64})\/[^/]{1,64}$/

/**
 * `POST /v1/session/alibaba`: checks the signed GetCallerIdentity locally
 * (shape, credvend's own timestamp window and nonce store), **rebuilds** the request to its own
 * configured STS endpoint, and lets STS verify the signature. From STS's answer it takes the parsed
 * account, identity type and role — the account must be configured, the identity a role session
 * that some profile allows — and issues a short-lived credvend session token for it.
 * @public
 */
export const createAlibabaLogin = (init: {
  readonly stsEndpoint: string
  readonly timeoutMs: number
  readonly fetch: typeof fetch
  readonly now: () => Date
  readonly accounts: ReadonlySet<string>
  readonly windowSeconds: number
  readonly sessionMinutes: number
  readonly sessionTokenKey: string
  /** Reports each login's STS call and its outcome (the STS budget is shared with vending). */
  readonly onStsCall?: (outcome: string) => void
  /** Deny by default: only identities some profile allows get a session token. */
  readonly allowed: (identity: AlibabaIdentity) => boolean
  /** Sends the STS call through the governor, in the login lane. */
  readonly gate?: <T>(send: () => Promise<T>, lane?: string) => Promise<T>
  /** Shared across config generations, so a reload does not reopen the replay window. */
  readonly nonces?: NonceClaims
}) => {
  const windowMs = init.windowSeconds * 1000
  const nonces = init.nonces ?? createNonceWindow(2 * windowMs)
  const endpoint = new URL(init.stsEndpoint)

  return async (
    body: unknown,
  ): Promise<{ token: string; expiration: Date; identity: AlibabaIdentity }> => {
    const parsed = alibabaLoginBodySchema.safeParse(body)
    if (!parsed.success) throw authError('ERR_AUTH_ALIBABA')
    const { params } = parsed.data
    const now = init.now()
    const stamp = parseTimestamp(params.Timestamp)
    if (!stamp || Math.abs(stamp.getTime() - now.getTime()) > windowMs)
      throw authError('ERR_AUTH_REPLAY')
    if (!(await nonces.claim(`${params.AccessKeyId}\n${params.SignatureNonce}`, now.getTime())))
      throw authError('ERR_AUTH_REPLAY')
    const query = Object.entries(params)
      .map(([k, v]) => `${percentEncode(k)}=${percentEncode(v ?? '')}`)
      .join('&')
    let identity: z.output<typeof callerIdentityReply>
    const send = () =>
      callOpenApi(
        init.fetch,
        {
          url: `${endpoint.origin}/?${query}`,
          init: {
            method: 'POST',
            headers: {
              accept: 'application/json',
              'content-type': 'application/x-www-form-urlencoded',
            },
            body: '',
          },
        },
        {
          operation: 'GetCallerIdentity',
          timeoutMs: init.timeoutMs,
          schema: callerIdentityReply,
          errors: stsErrors,
        },
      )
    try {
      identity = await (init.gate ? init.gate(send, LOGIN_LANE) : send())
      init.onStsCall?.('ok')
    } catch (error) {
      init.onStsCall?.(isVendError(error) ? error.code : 'ERR_INTERNAL')
      // STS refused the signature or token: the caller is not who it claims. An outage stays an outage.
      if (
        isVendError(error) &&
        (error.code === 'ERR_STS_REJECTED' ||
          error.code === 'ERR_STS_DENIED' ||
          error.code === 'ERR_STS_SOURCE_CREDENTIALS')
      )
        throw authError('ERR_AUTH_ALIBABA')
      throw error
    }
    const arn = ASSUMED_ROLE_ARN.exec(identity.arn)
    if (
      identity.identityType !== 'AssumedRoleUser' ||
      !arn ||
      arn[1] !== identity.accountId ||
      !init.accounts.has(identity.accountId)
    ) {
      throw authError('ERR_AUTH_ALIBABA')
    }
    const who: AlibabaIdentity = {
      account: identity.accountId,
      role: arn[2]!.toLowerCase(),
      roleId: identity.roleId ?? identity.principalId?.split(':')[0],
    }
    if (!init.allowed(who)) throw authError('ERR_AUTH_ALIBABA')
    const expiration = new Date(now.getTime() + init.sessionMinutes * 60_000)
    return {
      token: await issueSessionToken(init.sessionTokenKey, who, expiration),
      expiration,
      identity: who,
    }
  }
}

/** @internal */
export type AlibabaLogin = ReturnType<typeof createAlibabaLogin>
