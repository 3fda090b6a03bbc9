import { isVendError } from '../errors.ts'
import { UNAVAILABLE_CODES } from './unavailable-codes.ts'

/** Far deeper than any wrapping credvend does; it only bounds a chain that loops. */
const MAX_DEPTH = 16

/**
 * Whether the network, not a refusal or a check, is why `error` happened: a script retries the
 * former (the CLI exits 3) and fixes the latter (exit 1); the partner trust watch keeps its last
 * verdict instead of calling a role loose. Providers wrap the STS failure that broke them
 * (a RamRoleArn profile's AssumeRole) in their own code, so the `cause` chain is walked.
 * ERR_PROVIDER_UNAVAILABLE counts only when retryable: the credential chain also throws it, not
 * retryable, when no source is configured at all, which no retry mends.
 * @public
 */
export const isUnreachable = (error: unknown): boolean => {
  let at = error
  for (let depth = 0; depth < MAX_DEPTH && isVendError(at); depth++) {
    if (UNAVAILABLE_CODES.has(at.code)) return true
    // credvend itself unreachable; the chain also throws this code, not retryable, when no
    // source is configured at all, which no retry mends.
    if (at.code === 'ERR_PROVIDER_UNAVAILABLE' && at.retryable) return true
    at = at.cause
  }
  return false
}
