/**
 * Every failure credvend reports carries one of these stable codes; `lib/http/status.ts` maps
 * them to HTTP in one place. Messages are fixed text plus operation and status — never a
 * secret, a token or an upstream payload.
 * @public
 */
export type VendErrorCode =
  | 'ERR_BAD_REQUEST'
  | 'ERR_CREDENTIALS_IN_QUERY'
  | 'ERR_BODY_TOO_LARGE'
  | 'ERR_UNSUPPORTED_MEDIA_TYPE'
  | 'ERR_NOT_FOUND'
  | 'ERR_NARROWING_DENIED'
  | 'ERR_AUTH_MISSING'
  | 'ERR_AUTH_MALFORMED'
  | 'ERR_AUTH_ISSUER'
  | 'ERR_AUTH_ALG'
  | 'ERR_AUTH_HEADER'
  | 'ERR_AUTH_SIGNATURE'
  | 'ERR_AUTH_UNKNOWN_KID'
  | 'ERR_AUTH_AUDIENCE'
  | 'ERR_AUTH_TYPE'
  | 'ERR_AUTH_EXPIRED'
  | 'ERR_AUTH_NOT_YET_VALID'
  | 'ERR_AUTH_CLAIMS'
  | 'ERR_AUTH_KEY_INVALID'
  | 'ERR_AUTH_KEY_EXPIRED'
  | 'ERR_AUTH_KEY_REVOKED'
  | 'ERR_AUTH_JWKS_UNAVAILABLE'
  | 'ERR_AUTH_SESSION'
  | 'ERR_AUTH_ALIBABA'
  | 'ERR_AUTH_REPLAY'
  | 'ERR_CONFIG_INVALID'
  | 'ERR_POLICY_INVALID'
  | 'ERR_POLICY_VALUE'
  | 'ERR_POLICY_TOO_LARGE'
  | 'ERR_CIRCUIT_OPEN'
  | 'ERR_PROVIDER_NOT_CONFIGURED'
  | 'ERR_PROVIDER_MISCONFIGURED'
  | 'ERR_PROVIDER_UNAVAILABLE'
  | 'ERR_STS_REJECTED'
  | 'ERR_STS_DENIED'
  | 'ERR_STS_SOURCE_CREDENTIALS'
  | 'ERR_STS_THROTTLED'
  | 'ERR_STS_UNAVAILABLE'
  | 'ERR_STS_TIMEOUT'
  | 'ERR_STS_BAD_RESPONSE'
  | 'ERR_STS_CLOCK_SKEW'
  | 'ERR_KMS_DENIED'
  | 'ERR_KMS_SOURCE_CREDENTIALS'
  | 'ERR_KMS_REJECTED'
  | 'ERR_KMS_UNAVAILABLE'
  | 'ERR_KMS_TIMEOUT'
  | 'ERR_KMS_BAD_RESPONSE'
  | 'ERR_KMS_SECRET_INVALID'
  | 'ERR_RATE_LIMITED'
  | 'ERR_PARTNER_UNTRUSTED'
  | 'ERR_INTERNAL'

/** Upstream facts safe to log: Alibaba's error code and request id, never its message. @public */
export interface UpstreamDetail {
  readonly service: 'sts' | 'kms'
  readonly code?: string
  readonly requestId?: string
  readonly httpStatus?: number
  /** The answer's `Date`, kept only when STS refused our timestamp, to correct the signing clock. */
  readonly serverTimeMs?: number
}

/** @public */
export interface VendErrorOptions {
  readonly cause?: unknown
  readonly upstream?: UpstreamDetail
  /** Whether the same call may succeed if made again (throttling, 5xx, network, timeout). */
  readonly retryable?: boolean
  /** Seconds the upstream asked us to wait (`x-acs-retry-after`). */
  readonly retryAfterSeconds?: number
}

/**
 * The one error class of credvend.
 * @example
 * throw new VendError('ERR_STS_DENIED', 'STS refused AssumeRole', { upstream: { service: 'sts', code: 'NoPermission' } })
 * @public
 */
export class VendError extends Error {
  override readonly name = 'VendError'
  readonly code: VendErrorCode
  readonly upstream: UpstreamDetail | undefined
  readonly retryable: boolean
  readonly retryAfterSeconds: number | undefined

  constructor(code: VendErrorCode, message: string, options: VendErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.code = code
    this.upstream = options.upstream
    this.retryable = options.retryable ?? false
    this.retryAfterSeconds = options.retryAfterSeconds
  }
}

/** Cross-realm guard (ky's pattern): duck-typed, so an error from another bundle still counts. @public */
export const isVendError = (error: unknown): error is VendError =>
  error instanceof VendError ||
  (typeof error === 'object' &&
    error !== null &&
    (error as { name?: unknown }).name === 'VendError' &&
    typeof (error as { code?: unknown }).code === 'string')
