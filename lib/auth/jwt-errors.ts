import { errors } from 'jose'
import { VendError, type VendErrorCode } from '../errors.ts'

const CLAIM_CODES: Readonly<Record<string, VendErrorCode>> = {
  aud: 'ERR_AUTH_AUDIENCE',
  iss: 'ERR_AUTH_ISSUER',
  nbf: 'ERR_AUTH_NOT_YET_VALID',
  typ: 'ERR_AUTH_TYPE',
}

const MESSAGES: Readonly<Partial<Record<VendErrorCode, string>>> = {
  ERR_AUTH_ALG: 'token algorithm not allowed for its issuer',
  ERR_AUTH_SIGNATURE: 'token signature does not verify',
  ERR_AUTH_UNKNOWN_KID: 'token key id is not in the issuer key set',
  ERR_AUTH_AUDIENCE: 'token audience not accepted',
  ERR_AUTH_ISSUER: 'token issuer not trusted',
  ERR_AUTH_TYPE: 'token type not accepted',
  ERR_AUTH_EXPIRED: 'token expired',
  ERR_AUTH_NOT_YET_VALID: 'token not yet valid',
  ERR_AUTH_CLAIMS: 'token claims invalid',
  ERR_AUTH_MALFORMED: 'token malformed',
  ERR_AUTH_JWKS_UNAVAILABLE: 'issuer key set unavailable',
  ERR_AUTH_HEADER: 'token header names a key location; not accepted',
  ERR_AUTH_KEY_INVALID: 'API key not recognised',
  ERR_AUTH_KEY_REVOKED: 'API key revoked',
  ERR_AUTH_KEY_EXPIRED: 'API key expired',
  ERR_AUTH_MISSING: 'no credentials: send Authorization: Bearer <token>',
  ERR_AUTH_SESSION: 'session token invalid or expired',
  ERR_AUTH_ALIBABA: 'Alibaba identity not accepted',
  ERR_AUTH_REPLAY: 'signed login stale or already used',
}

/** A VendError for an authentication failure, with a fixed message. @internal */
export const authError = (code: VendErrorCode): VendError =>
  new VendError(code, MESSAGES[code] ?? 'authentication failed')

/** jose's error → our stable code; the jose message (which can quote claims) is not kept. @internal */
export const fromJoseError = (error: unknown): VendError => {
  if (error instanceof VendError) return error
  if (error instanceof errors.JWTExpired) return authError('ERR_AUTH_EXPIRED')
  if (error instanceof errors.JWTClaimValidationFailed)
    return authError(CLAIM_CODES[error.claim] ?? 'ERR_AUTH_CLAIMS')
  if (error instanceof errors.JOSEAlgNotAllowed) return authError('ERR_AUTH_ALG')
  if (error instanceof errors.JWSSignatureVerificationFailed) return authError('ERR_AUTH_SIGNATURE')
  if (error instanceof errors.JWKSNoMatchingKey) return authError('ERR_AUTH_UNKNOWN_KID')
  if (error instanceof errors.JWKSMultipleMatchingKeys) return authError('ERR_AUTH_SIGNATURE')
  if (error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid)
    return authError('ERR_AUTH_JWKS_UNAVAILABLE')
  if (error instanceof errors.JOSEError) return authError('ERR_AUTH_MALFORMED')
  return authError('ERR_AUTH_JWKS_UNAVAILABLE')
}
