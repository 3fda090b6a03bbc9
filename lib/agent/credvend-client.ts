import * as z from '../zod.ts'
import { VendError } from '../errors.ts'
import { timestampSchema } from '../signing/timestamp-schema.ts'

const stamp = timestampSchema('not YYYY-MM-DDThh:mm:ssZ')

/** A vend answer as the client side needs it; other fields are ignored. @internal */
const vendAnswer = z.looseObject({
  Code: z.literal('Success'),
  AccessKeyId: z.string().check(z.minLength(1)),
  AccessKeySecret: z.string().check(z.minLength(1)),
  SecurityToken: z.optional(z.string().check(z.minLength(1))),
  Expiration: stamp,
  ServerTime: z.optional(stamp),
})

/** Credentials a client of credvend holds, with the server's clock at issue. @public */
export interface VendedCredentials {
  readonly accessKeyId: string
  readonly accessKeySecret: string
  readonly securityToken: string | undefined
  readonly expiration: Date
  /** The server's clock when it answered; lifetimes are measured against it, not the local clock. */
  readonly serverTime: Date
}

/** What a client may ask of a vend (the server's `vendBody`): both only narrow. @public */
export interface VendNarrowing {
  /** A lifetime other than the profile's default; the server clamps it to the profile's maximum. */
  readonly durationSeconds?: number | undefined
  /** How much validity a cached answer must still have; the server's default is half the duration. */
  readonly minRemainingSeconds?: number | undefined
}

/**
 * Calls `POST {url}/v1/credentials/{profile}` with the caller's bearer (re-read on every call:
 * projected service-account tokens rotate) and parses the answer once. Errors carry the server's
 * error Code only, never its body.
 * @public
 */
export const createCredvendClient = (init: {
  readonly url: string
  readonly profile: string
  readonly bearer: () => Promise<string>
  readonly fetch: typeof fetch
  readonly now: () => Date
  readonly timeoutMs?: number
}) => ({
  async vend(narrowing: VendNarrowing = {}): Promise<VendedCredentials> {
    const target = new URL(
      `v1/credentials/${encodeURIComponent(init.profile)}`,
      init.url.endsWith('/') ? init.url : `${init.url}/`,
    )
    // Outside the network try: a missing token is the caller's problem, not an unreachable server.
    const bearer = await init.bearer()
    let response: Response
    try {
      response = await init.fetch(target, {
        method: 'POST',
        headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          durationSeconds: narrowing.durationSeconds,
          minRemainingSeconds: narrowing.minRemainingSeconds,
        }),
        signal: AbortSignal.timeout(init.timeoutMs ?? 10_000),
      })
    } catch (cause) {
      throw new VendError(
        'ERR_PROVIDER_UNAVAILABLE',
        `credvend at ${target.origin} is unreachable`,
        { cause, retryable: true },
      )
    }
    const json: unknown = await response.json().catch(() => undefined)
    if (!response.ok) {
      const code = z.object({ Code: z.string().check(z.regex(/^[A-Z_]{1,64}$/)) }).safeParse(json)
      throw new VendError(
        response.status >= 500 ? 'ERR_PROVIDER_UNAVAILABLE' : 'ERR_PROVIDER_MISCONFIGURED',
        `credvend refused the vend: HTTP ${response.status}${code.success ? ` ${code.data.Code}` : ''}`,
        { retryable: response.status >= 500 || response.status === 429 },
      )
    }
    const parsed = vendAnswer.safeParse(json)
    if (!parsed.success)
      throw new VendError(
        'ERR_PROVIDER_MISCONFIGURED',
        'credvend answered with an unexpected body',
        { retryable: false },
      )
    const a = parsed.data
    return {
      accessKeyId: a.AccessKeyId,
      accessKeySecret: a.AccessKeySecret,
      securityToken: a.SecurityToken,
      expiration: a.Expiration,
      serverTime: a.ServerTime ?? init.now(),
    }
  },
})

/** @public */
export type CredvendClient = ReturnType<typeof createCredvendClient>
