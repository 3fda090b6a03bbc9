import * as z from '../zod.ts'
import type { Caller } from '../auth/caller.ts'
import { authError } from '../auth/jwt-errors.ts'
import { toBase64Url, utf8 } from '../crypto/encoding.ts'
import { hmacSha256 } from '../crypto/hmac.ts'
import { timingSafeEqual } from '../crypto/timing-safe-equal.ts'

/** Session tokens never parse as JWTs or API keys, so the three paths cannot fall into each other. @public */
export const SESSION_TOKEN_PREFIX = 'cvs_'

/** What a session token vouches for: the identity STS confirmed, parsed. @public */
export interface AlibabaIdentity {
  readonly account: string
  /** Lower-cased: RAM role names are case-insensitive. */
  readonly role: string
  readonly roleId: string | undefined
}

const payload = z.strictObject({
  v: z.literal(1),
  account: z.string().check(z.regex(/^\d{16}$/)),
  role: z.string().check(z.regex(/^[a-z0-9._@-]{1,64}$/)),
  roleId: z.optional(z.string().check(z.regex(/^\d{1,32}$/))),
  exp: z.number().check(z.int()),
})

const fromBase64Url = (text: string): string => {
  const b64 = text.replace(/-/g, '+').replace(/_/g, '/')
  return new TextDecoder().decode(
    Uint8Array.from(atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4)), (c) => c.charCodeAt(0)),
  )
}

/** The Caller a session token stands for. @internal */
export const alibabaCaller = (identity: AlibabaIdentity): Caller => ({
  id: `alibaba.${identity.account}.${identity.role}`,
  kind: 'alibaba',
  authority: 'alibaba',
  sub: `${identity.account}:${identity.role}`,
  claims: { account: identity.account, role: identity.role, roleId: identity.roleId },
})

/**
 * `cvs_<payload>.<HMAC-SHA256>`: short-lived, stateless, verifiable by every instance that holds
 * the configured key. @public
 */
export const issueSessionToken = async (
  key: string,
  identity: AlibabaIdentity,
  expiresAt: Date,
): Promise<string> => {
  const body = toBase64Url(
    utf8(
      JSON.stringify({
        v: 1,
        account: identity.account,
        role: identity.role,
        ...(identity.roleId ? { roleId: identity.roleId } : {}),
        exp: Math.floor(expiresAt.getTime() / 1000),
      }),
    ),
  )
  return `${SESSION_TOKEN_PREFIX}${body}.${toBase64Url(await hmacSha256(key, `credvend-session\n${body}`))}`
}

/** Verifies a session token (timing-safe) and returns its caller; every failure is the same 401. @public */
export const verifySessionToken = async (
  key: string | undefined,
  token: string,
  now: Date,
): Promise<Caller> => {
  const match = /^cvs_([A-Za-z0-9_-]{1,2048})\.([A-Za-z0-9_-]{43})$/.exec(token)
  if (!key || !match) throw authError('ERR_AUTH_SESSION')
  const expected = toBase64Url(await hmacSha256(key, `credvend-session\n${match[1]}`))
  if (!(await timingSafeEqual(expected, match[2]!))) throw authError('ERR_AUTH_SESSION')
  let parsed: z.infer<typeof payload>
  try {
    parsed = payload.parse(JSON.parse(fromBase64Url(match[1]!)))
  } catch {
    throw authError('ERR_AUTH_SESSION')
  }
  if (parsed.exp * 1000 <= now.getTime()) throw authError('ERR_AUTH_SESSION')
  return alibabaCaller({ account: parsed.account, role: parsed.role, roleId: parsed.roleId })
}
