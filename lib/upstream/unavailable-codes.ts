import type { VendErrorCode } from '../errors.ts'

/**
 * Error codes that mean an upstream (STS, KMS, an issuer's key set) gave no usable answer — the
 * network, a timeout, a circuit opened by such failures — as opposed to a refusal or a bad
 * configuration. A client retries the first kind and fixes the second; the CLI exits 3 for it.
 * @public
 */
export const UNAVAILABLE_CODES: ReadonlySet<VendErrorCode> = new Set<VendErrorCode>([
  'ERR_STS_UNAVAILABLE',
  'ERR_STS_TIMEOUT',
  'ERR_KMS_UNAVAILABLE',
  'ERR_KMS_TIMEOUT',
  'ERR_AUTH_JWKS_UNAVAILABLE',
  // Open because the upstream just failed like this; it was not asked again.
  'ERR_CIRCUIT_OPEN',
])
