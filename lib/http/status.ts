import type { VendErrorCode } from '../errors.ts'

/**
 * The single mapping from credvend error codes to HTTP status (PRODUCT.md §4.2): 502 when STS
 * refused the call, 503 when it is unavailable or throttling us, 504 when it timed out.
 * @internal
 */
export const HTTP_STATUS: Readonly<Record<VendErrorCode, 400 | 403 | 404 | 500 | 502 | 503 | 504>> = {
  ERR_BAD_REQUEST: 400,
  ERR_NOT_FOUND: 404,
  ERR_POLICY_INVALID: 400,
  ERR_CONFIG_INVALID: 500,
  ERR_STS_REJECTED: 502,
  ERR_STS_DENIED: 502,
  ERR_STS_SOURCE_CREDENTIALS: 502,
  ERR_STS_BAD_RESPONSE: 502,
  ERR_STS_THROTTLED: 503,
  ERR_STS_UNAVAILABLE: 503,
  ERR_STS_TIMEOUT: 504,
  ERR_INTERNAL: 500,
}
