import { fullJitterDelay } from '../upstream/backoff.ts'
import { VendError } from '../errors.ts'
import type { CredvendClient, VendedCredentials } from './credvend-client.ts'

/**
 * What the agent asks the server for, and refreshes below: well above the 15 minutes under which
 * the official Node SDK refetches on every call (its STALE_TIME).
 */
const AGENT_MIN_REMAINING_S = 25 * 60
/** Shorter profiles would leave the SDK refetching constantly: the agent refuses them. */
const AGENT_MIN_LIFETIME_MS = 30 * 60 * 1000

interface Held {
  readonly credentials: VendedCredentials
  /** On the local clock, derived from the server's lifetimes. */
  readonly expiresAtMs: number
  readonly refreshAtMs: number
}

/**
 * The agent's copy of one profile's credentials: refreshed single-flight once fewer than
 * {@link AGENT_MIN_REMAINING_S} remain, with capped full-jitter backoff after failures, and still
 * served while the server is down as long as they are valid. Lifetimes are taken from the server's
 * own ServerTime/Expiration, so a wrong local clock does not shorten or stretch them.
 * @public
 */
export const createAgentCredentials = (init: {
  client: CredvendClient
  now: () => Date
  random: () => number
}) => {
  let held: Held | undefined
  let inflight: Promise<Held> | undefined
  let failures = 0
  let nextAttemptMs = 0
  const counters = { fetches: 0, failures: 0 }

  const fetchOnce = () => {
    inflight ??= (async () => {
      const t0 = init.now().getTime()
      counters.fetches++
      try {
        // The first ask takes the server's default, so a profile too short for the agent is
        // reported as such rather than as a refused minRemainingSeconds.
        const credentials = await init.client.vend(
          held === undefined ? undefined : AGENT_MIN_REMAINING_S,
        )
        const lifetimeMs = credentials.expiration.getTime() - credentials.serverTime.getTime()
        if (lifetimeMs < AGENT_MIN_LIFETIME_MS) {
          throw new VendError(
            'ERR_PROVIDER_MISCONFIGURED',
            `the profile's credentials live ${Math.round(lifetimeMs / 60_000)} min; the agent needs profiles of at least 30 min (the official SDKs refetch below 15)`,
            { retryable: false },
          )
        }
        failures = 0
        held = {
          credentials,
          expiresAtMs: t0 + lifetimeMs,
          refreshAtMs: t0 + lifetimeMs - AGENT_MIN_REMAINING_S * 1000,
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
    /** The first fetch; it also proves the profile is long enough. */
    start: () => fetchOnce().then(() => undefined),
    stats: () => ({ ...counters, expiresAtMs: held?.expiresAtMs, refreshAtMs: held?.refreshAtMs }),
  }
}

/** @public */
export type AgentCredentials = ReturnType<typeof createAgentCredentials>
