import { isVendError } from '../errors.ts'
import { fullJitterDelay } from './backoff.ts'

/** @internal */
export interface RetryOptions {
  readonly attempts: number
  readonly deadlineMs: number
  readonly backoffBaseMs: number
  readonly backoffCapMs: number
  readonly now: () => Date
  readonly sleep: (ms: number) => Promise<void>
  readonly random: () => number
}

/** A hard stop for throttled retries, should a clock not move (they are bounded by the deadline). */
const MAX_THROTTLED_RETRIES = 20

/**
 * Runs `work` again only for retryable failures (throttling, 5xx, network, timeout), waiting
 * with full jitter — or as long as the upstream asked (`x-acs-retry-after`) — and never past the
 * deadline: a retry that could not finish in time is not started. A throttle that says when to
 * come back does not use up the attempts (STS is answering, only pacing us); the deadline bounds it.
 * @internal
 */
export const withRetry = async <T>(work: () => Promise<T>, options: RetryOptions): Promise<T> => {
  const deadline = options.now().getTime() + options.deadlineMs
  let failures = 0
  let throttles = 0
  for (let attempt = 0; ; attempt++) {
    try {
      return await work()
    } catch (error) {
      const retryable = isVendError(error) && error.retryable
      const paced = isVendError(error) && error.retryAfterSeconds !== undefined
      if (paced) throttles++
      else failures++
      if (!retryable || failures >= options.attempts || throttles > MAX_THROTTLED_RETRIES)
        throw error
      const asked =
        isVendError(error) && error.retryAfterSeconds !== undefined
          ? error.retryAfterSeconds * 1000
          : 0
      const delay = Math.max(
        asked,
        fullJitterDelay(attempt, options.backoffBaseMs, options.backoffCapMs, options.random),
      )
      if (options.now().getTime() + delay >= deadline) throw error
      await options.sleep(delay)
    }
  }
}
