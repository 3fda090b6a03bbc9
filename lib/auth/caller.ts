import { sha256Hex } from '../crypto/hmac.ts'
import { callerIdPattern } from './caller-alphabet.ts'

/** An authenticated caller. `id` is qualified by how and by whom it was authenticated. @public */
export interface Caller {
  /** `jwt.<issuer>.<sub>`, `jwth.<issuer>.<hash>` when the sub does not fit, `key.<id>`, or `alibaba.<account>.<role>`. */
  readonly id: string
  readonly kind: 'jwt' | 'apiKey' | 'alibaba'
  /** The configured issuer or key id that vouched for the caller. */
  readonly authority: string
  readonly sub: string
  /** Verified JWT claims (empty for API keys). */
  readonly claims: Readonly<Record<string, unknown>>
}

/** 96 characters leave room for `jwt.<issuer>.` within the 128 a template value may have. */
const SUB_FITS = new RegExp(callerIdPattern(96))

/**
 * `caller.id` for a JWT subject, in the template alphabet. A sub that does not fit is hashed
 * under a different prefix (`jwth`), so a hashed id can never equal a plain one; issuer ids
 * contain no `.`, so two issuers with the same sub never share an id.
 * @internal
 */
export const jwtCallerId = async (issuerId: string, sub: string): Promise<string> =>
  SUB_FITS.test(sub)
    ? `jwt.${issuerId}.${sub}`
    : `jwth.${issuerId}.${(await sha256Hex(sub)).slice(0, 32)}`
