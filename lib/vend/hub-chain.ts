import type { CompiledHop } from '../config/load.ts'
import type { Credentials } from '../credentials/types.ts'
import type { StsClient } from '../sts/client.ts'
import { createSingleFlight } from '../cache/single-flight.ts'

/** Hub sessions carry no caller: many callers' vends pass through the same one. */
const HUB_SESSION_NAME = 'credvend-hub'

const earlier = (a: Date, b: Date | undefined) => (b && b < a ? b : a)

/**
 * The intermediate hops of cross-account chains (credvend → hub → partner role). Each hub session
 * is assumed from the live credentials of the hop before it, shared by every vend that passes
 * through, reused while it outlives what the caller asked for, and never past the expiry of what
 * it was assumed from — so a chain is cached only while every link is valid.
 * @internal
 */
export const createHubChain = (init: {
  sts: StsClient
  now: () => Date
  sharePending: boolean
  onCall: () => void
}) => {
  const sessions = new Map<string, Credentials & { expiration: Date }>()
  const flights = createSingleFlight<Credentials & { expiration: Date }>({
    sharePending: init.sharePending,
  })

  const hop = async (key: string, spec: CompiledHop, from: Credentials, minValidMs: number) => {
    const held = sessions.get(key)
    if (held && held.expiration.getTime() - init.now().getTime() >= minValidMs) return held
    return flights.run(key, async () => {
      init.onCall()
      const reply = await init.sts.assumeRole(from, {
        roleArn: spec.roleArn,
        roleSessionName: HUB_SESSION_NAME,
        durationSeconds: spec.durationSeconds,
        ...(spec.externalId === undefined ? {} : { externalId: spec.externalId }),
      })
      const session = {
        ...reply.credentials,
        expiration: earlier(reply.credentials.expiration, from.expiration),
        source: `hub:${spec.roleArn}`,
      }
      const nowMs = init.now().getTime()
      for (const [k, s] of sessions) if (s.expiration.getTime() <= nowMs) sessions.delete(k)
      sessions.set(key, session)
      return session
    })
  }

  return {
    /** Credentials for the last hub of `hops`, starting from credvend's own. */
    async walk(
      generation: string,
      hops: readonly CompiledHop[],
      source: Credentials,
      minValidMs: number,
    ): Promise<Credentials> {
      let from = source
      for (const [i, spec] of hops.entries()) {
        // Keyed by everything the hop sends (two profiles through one hub with different
        // ExternalIds or durations must not share a session) and by where it came from: new
        // source credentials start a new chain. No part can hold `|`.
        const sent = `${spec.roleArn}|${spec.externalId ?? ''}|${spec.durationSeconds}`
        from = await hop(`${generation}|${i}|${sent}|${from.accessKeyId}`, spec, from, minValidMs)
      }
      return from
    },
    /** Drops hub sessions of older generations (after a reload). */
    keepGeneration: (generation: string) => {
      for (const key of sessions.keys()) if (!key.startsWith(`${generation}|`)) sessions.delete(key)
    },
    get size() {
      return sessions.size
    },
  }
}
