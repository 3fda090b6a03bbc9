import * as z from '../zod.ts'
import type { CredentialProvider } from '../credentials/provider.ts'
import { VendError } from '../errors.ts'
import { parseTimestamp } from '../signing/timestamp.ts'
import { alibabaLoginBody } from './login-body.ts'

const answer = z.looseObject({
  Code: z.literal('Success'),
  SessionToken: z.string().check(z.startsWith('cvs_')),
  Expiration: z.string(),
})

/**
 * A bearer for credvend's client commands from the caller's own Alibaba identity: its default
 * chain signs a GetCallerIdentity, credvend answers with a session token, which is reused until a
 * minute before it expires.
 * @public
 */
export const alibabaSessionBearer = (init: {
  readonly url: string
  readonly source: CredentialProvider
  readonly fetch: typeof fetch
  readonly now: () => Date
  readonly nonce: () => string
}): (() => Promise<string>) => {
  let held: { token: string; expiresAtMs: number } | undefined
  return async () => {
    if (held && held.expiresAtMs - 60_000 > init.now().getTime()) return held.token
    const body = await alibabaLoginBody(await init.source(), {
      now: init.now(),
      nonce: init.nonce(),
    })
    const response = await init.fetch(
      new URL('v1/session/alibaba', init.url.endsWith('/') ? init.url : `${init.url}/`),
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(10_000),
      },
    )
    const parsed = answer.safeParse(await response.json().catch(() => undefined))
    const expires = parsed.success ? parseTimestamp(parsed.data.Expiration) : undefined
    if (!response.ok || !parsed.success || !expires)
      throw new VendError(
        'ERR_PROVIDER_MISCONFIGURED',
        `credvend refused the signed Alibaba login: HTTP ${response.status}`,
      )
    held = { token: parsed.data.SessionToken, expiresAtMs: expires.getTime() }
    return held.token
  }
}
