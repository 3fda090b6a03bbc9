import { VendError, isVendError } from '../errors.ts'

/**
 * A circuit breaker around an upstream: after `failures` consecutive unavailability errors it
 * opens and fails fast for `cooldownMs`, then lets one trial call through (half-open). Refusals
 * such as NoPermission, and throttling, are answers, not outages, and do not count.
 * @internal
 */
export const createCircuit = (options: {
  failures: number
  cooldownMs: number
  now: () => Date
  upstream?: 'STS' | 'KMS'
}) => {
  let consecutive = 0
  let openedAtMs: number | undefined
  let trialInFlight = false

  // Throttling is STS answering "slower", not an outage: opening on it would turn a rate limit
  // into a full stop for every uncached caller.
  const isOutage = (error: unknown) =>
    isVendError(error) && error.retryable && error.code !== 'ERR_STS_THROTTLED'

  return {
    async run<T>(work: () => Promise<T>): Promise<T> {
      // Only the trial's own end frees the trial slot: a slow call started while the circuit was
      // still closed may end during a trial, and must not let a second trial through.
      let isTrial = false
      if (openedAtMs !== undefined) {
        const cooling = options.now().getTime() - openedAtMs < options.cooldownMs
        if (cooling || trialInFlight)
          throw new VendError(
            'ERR_CIRCUIT_OPEN',
            `${options.upstream ?? 'STS'} is unavailable (circuit open)`,
            { retryable: false },
          )
        trialInFlight = true
        isTrial = true
      }
      try {
        const value = await work()
        consecutive = 0
        openedAtMs = undefined
        return value
      } catch (error) {
        if (isOutage(error)) {
          consecutive++
          if (openedAtMs !== undefined || consecutive >= options.failures)
            openedAtMs = options.now().getTime()
        } else if (openedAtMs !== undefined) {
          openedAtMs = undefined
          consecutive = 0
        }
        throw error
      } finally {
        if (isTrial) trialInFlight = false
      }
    },
    get state(): 'closed' | 'open' {
      return openedAtMs === undefined ? 'closed' : 'open'
    },
  }
}
