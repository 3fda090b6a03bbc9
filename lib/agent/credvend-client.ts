import * as z from '../zod.ts'
import { VendError, type VendErrorCode } from '../errors.ts'
import { timestampSchema } from '../signing/timestamp-schema.ts'
import { UNAVAILABLE_CODES } from '../upstream/unavailable-codes.ts'

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
 * Gateway statuses: a proxy in front of credvend answers them when credvend does not, and credvend
 * itself when STS or KMS failed it. Both are the path, not the caller, and a retry may pass.
 */
const GATEWAY_STATUSES = new Set([502, 503, 504])

/**
 * credvend answered and refused the vend: its HTTP status and error Code (never its body), for
 * callers that act on which refusal it was. A 5xx or 429 may pass, so it is retryable.
 * @public
 */
export class CredvendRefusal extends VendError {
  readonly httpStatus: number
  readonly serverCode: string | undefined

  constructor(httpStatus: number, serverCode: string | undefined) {
    super(
      'ERR_PROVIDER_MISCONFIGURED',
      `credvend refused the vend: HTTP ${httpStatus}${serverCode ? ` ${serverCode}` : ''}`,
      { retryable: httpStatus >= 500 || httpStatus === 429 },
    )
    this.httpStatus = httpStatus
    this.serverCode = serverCode
  }
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
      const serverCode = code.success ? code.data.Code : undefined
      // Any status but a gateway's is credvend's own answer: a refusal, even a 500. credvend
      // also answers 502 when STS or KMS refuses (ERR_STS_DENIED…): only a gateway status with
      // no code of credvend's, or one saying its upstream did not answer, means unavailable.
      const unavailable =
        GATEWAY_STATUSES.has(response.status) &&
        (serverCode === undefined || UNAVAILABLE_CODES.has(serverCode as VendErrorCode))
      throw unavailable
        ? new VendError(
            'ERR_PROVIDER_UNAVAILABLE',
            `credvend at ${target.origin} could not vend: HTTP ${response.status}${serverCode ? ` ${serverCode}` : ''}`,
            { retryable: true },
          )
        : new CredvendRefusal(response.status, serverCode)
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
