import { fullJitterDelay } from '../upstream/backoff.ts'
import { VendError } from '../errors.ts'
import type { CredvendClient, VendedCredentials } from './credvend-client.ts'
import { refusedForBeingAccessKey } from './refused-for-being-access-key.ts'

/**
 * The official Node SDK treats credentials with 15 minutes or less left as stale and asks the URI
 * again on every call (`STALE_TIME` in @alicloud/credentials dist/src/providers/session.js). A
 * refresh 25 minutes before expiry keeps what the agent serves above that wherever the lifetime
 * allows it, so the SDK can cache.
 */
const REFRESH_BEFORE_EXPIRY_MS = 25 * 60 * 1000
/**
 * The server answers with at least half the lifetime left unless asked otherwise, and STS
 * lifetimes start at 900 s: anything under this is a clock or server fault, not a profile.
 */
const MIN_LIFETIME_MS = 5 * 60 * 1000

interface Held {
  readonly credentials: VendedCredentials
  /** On the local clock, derived from the server's lifetimes. */
  readonly expiresAtMs: number
  readonly refreshAtMs: number
}

/**
 * The official credentials-URI provider rejects an answer without a SecurityToken
 * (@alicloud/credentials dist/src/providers/uri.js), so an access-key profile cannot be served.
 */
const accessKeyProfile = () =>
  new VendError(
    'ERR_PROVIDER_MISCONFIGURED',
    'an access-key profile (its answer has no SecurityToken): the agent serves STS profiles only; use credvend exec or credvend process',
    { retryable: false },
  )

/**
 * The agent's copy of one profile's credentials. Each copy is refreshed single-flight once half
 * of its remaining lifetime has passed or 25 minutes before it expires, whichever comes later, so
 * 900-second profiles are served as well as hour-long ones; failures back off with capped full
 * jitter, and valid credentials are still served while the server is down. Lifetimes are taken
 * from the server's own ServerTime/Expiration, so a wrong local clock does not shorten or stretch
 * them. Access-key profiles are refused.
 * @public
 */
export const createAgentCredentials = (init: {
  client: CredvendClient
  now: () => Date
  random: () => number
  /** Asked on every vend: a lifetime the profile allows on request beyond its default. */
  durationSeconds?: number | undefined
}) => {
  let held: Held | undefined
  let inflight: Promise<Held> | undefined
  let failures = 0
  let nextAttemptMs = 0
  const counters = { fetches: 0, failures: 0 }
  const narrowing = { durationSeconds: init.durationSeconds }

  const fetchOnce = () => {
    inflight ??= (async () => {
      const t0 = init.now().getTime()
      counters.fetches++
      try {
        // No minRemainingSeconds: the server's default (half the granted duration) can never be
        // refused as too long, whatever the profile's duration turns out to be.
        const credentials = await init.client.vend(narrowing)
        if (credentials.securityToken === undefined) throw accessKeyProfile()
        const lifetimeMs = credentials.expiration.getTime() - credentials.serverTime.getTime()
        if (lifetimeMs < MIN_LIFETIME_MS) {
          throw new VendError(
            'ERR_PROVIDER_MISCONFIGURED',
            `the credentials came with ${Math.round(lifetimeMs / 1000)} s left; the agent needs at least ${MIN_LIFETIME_MS / 1000} s (check the clocks)`,
            { retryable: false },
          )
        }
        failures = 0
        held = {
          credentials,
          expiresAtMs: t0 + lifetimeMs,
          refreshAtMs: t0 + lifetimeMs - Math.min(REFRESH_BEFORE_EXPIRY_MS, lifetimeMs / 2),
        }
        return held
      } catch (error) {
        counters.failures++
        nextAttemptMs =
          init.now().getTime() + fullJitterDelay(++failures, 1_000, 60_000, init.random)
        throw error
      } finally {
        inflight = undefined
      }
    })()
    return inflight
  }

  return {
    /** Credentials to serve now: fresh, or still valid while a refresh fails or waits out its backoff. */
    async get(): Promise<VendedCredentials> {
      const nowMs = init.now().getTime()
      if (held && nowMs < held.refreshAtMs) return held.credentials
      const valid = held && nowMs < held.expiresAtMs ? held : undefined
      if (valid && nowMs < nextAttemptMs && !inflight) return valid.credentials
      try {
        return (await fetchOnce()).credentials
      } catch (error) {
        if (valid && init.now().getTime() < valid.expiresAtMs) return valid.credentials
        throw error
      }
    },
    /** The first fetch: it proves the profile can be served, and names an access-key profile as such. */
    async start(): Promise<void> {
      try {
        await fetchOnce()
      } catch (error) {
        if (
          init.durationSeconds !== undefined &&
          (await refusedForBeingAccessKey(init.client, error))
        )
          throw accessKeyProfile()
        throw error
      }
    },
    stats: () => ({ ...counters, expiresAtMs: held?.expiresAtMs, refreshAtMs: held?.refreshAtMs }),
  }
}

/** @public */
export type AgentCredentials = ReturnType<typeof createAgentCredentials>
