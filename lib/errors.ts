/**
 * Every failure credvend reports carries one of these stable codes; `lib/http/status.ts` maps
 * them to HTTP in one place. Messages are fixed text plus operation and status — never a
 * secret, a token or an upstream payload (STYLE.md rule 4).
 * @public
 */
export type VendErrorCode =
  | 'ERR_BAD_REQUEST'
  | 'ERR_NOT_FOUND'
  | 'ERR_CONFIG_INVALID'
  | 'ERR_POLICY_INVALID'
  | 'ERR_STS_REJECTED'
  | 'ERR_STS_DENIED'
  | 'ERR_STS_SOURCE_CREDENTIALS'
  | 'ERR_STS_THROTTLED'
  | 'ERR_STS_UNAVAILABLE'
  | 'ERR_STS_TIMEOUT'
  | 'ERR_STS_BAD_RESPONSE'
  | 'ERR_INTERNAL'

/** Upstream facts safe to log: Alibaba's error code and request id, never its message. @public */
export interface UpstreamDetail {
  readonly service: 'sts' | 'kms'
  readonly code?: string
  readonly requestId?: string
  readonly httpStatus?: number
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
