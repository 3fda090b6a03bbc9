import type { Config } from '../config/schema.ts'
import { VendError } from '../errors.ts'
import type { CredvendMetrics } from '../metrics/credvend-metrics.ts'
import { sharedRateLimiter } from '../store/shared-limits.ts'
import type { SharedState } from '../store/shared-state.ts'
import { addressKey } from './address-key.ts'
import { createRateLimiter, type RateLimit } from './rate-limiter.ts'

type Limits = Config['limits']

/** Metric label of each limit, as dashboards and runbooks name them. */
const LABEL = {
  caller: 'caller',
  misses: 'caller-misses',
  address: 'source-address',
  loginAddress: 'source-address-logins',
} as const

/**
 * The request limits (per caller, per caller's cache misses, per source address, per source
 * address for signed logins), each a
 * GCRA kept in memory or, with a shared store, across instances. A reload that changes no limit
 * keeps their state, so a reload never hands anyone a fresh burst.
 * @internal
 */
export const createLimits = (init: {
  readonly limits: Limits
  readonly now: () => Date
  readonly shared: SharedState | undefined
  readonly metrics: CredvendMetrics
}) => {
  const build = (limits: Limits) => {
    const options = { maxKeys: limits.trackedKeys, now: init.now }
    const limiter = (name: string, limit: RateLimit | null) => {
      const local = createRateLimiter(limit, options)
      return init.shared ? sharedRateLimiter(name, limit, init.shared, local) : local
    }
    return {
      config: JSON.stringify(limits),
      caller: limiter('caller', limits.perCaller),
      misses: limiter('misses', limits.perCallerMisses),
      address: limiter('address', limits.perSourceAddress),
      loginAddress: limiter('login-address', limits.perSourceAddressLogins),
    }
  }
  let current = build(init.limits)
  const take = async (limit: keyof typeof LABEL, key: string, message: string) => {
    const wait = await current[limit].take(key)
    if (wait === undefined) return
    init.metrics.rateLimited.inc({ limit: LABEL[limit] })
    throw new VendError('ERR_RATE_LIMITED', message, { retryAfterSeconds: wait })
  }
  return {
    caller: (callerId: string) => take('caller', callerId, 'too many requests from this caller'),
    misses: (callerId: string) =>
      take(
        'misses',
        callerId,
        'too many new credentials for this caller; cached ones are still served',
      ),
    /** Runtimes that cannot tell the address pass undefined. */
    address: async (address: string | undefined) => {
      if (address) await take('address', addressKey(address), 'too many requests from this address')
    },
    /** Signed logins, stricter than `address`: each may cost an STS call. */
    loginAddress: async (address: string | undefined) => {
      if (address)
        await take('loginAddress', addressKey(address), 'too many logins from this address')
    },
    reload(limits: Limits) {
      if (JSON.stringify(limits) !== current.config) current = build(limits)
    },
  }
}
