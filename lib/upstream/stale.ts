import { isVendError } from '../errors.ts'

/**
 * Whether an upstream failure is an outage rather than a refusal: unavailable, circuit open, or
 * over the STS budget (the governor's refusal is final for this request, not for credentials
 * already held).
 * @internal
 */
const upstreamDown = (error: unknown): boolean =>
  isVendError(error) &&
  (error.retryable || error.code === 'ERR_CIRCUIT_OPEN' || error.code === 'ERR_STS_THROTTLED')

/**
 * The one rule for serving what is held while upstream is down: still-valid credentials beat a
 * 503, but only with more than `floorMs` of validity left, and never when upstream refused.
 * @internal
 */
export const servesStale = (error: unknown, remainingMs: number, floorMs: number): boolean =>
  remainingMs > floorMs && upstreamDown(error)
