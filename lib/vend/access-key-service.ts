import type { Caller } from '../auth/caller.ts'
import type { AccessKeyProfile } from '../config/schema.ts'
import type { CredentialProvider, ProviderInput } from '../credentials/provider.ts'
import { createSingleFlight } from '../cache/single-flight.ts'
import { VendError, isVendError } from '../errors.ts'
import { ramCredentialsData, type KmsClient } from '../kms/client.ts'
import { createCircuit } from '../upstream/circuit.ts'
import { isAllowed } from './allowed.ts'

/** A served AccessKey pair and when to fetch again. @public */
export interface AccessKeyResult {
  readonly accessKeyId: string
  readonly accessKeySecret: string
  /** When the caller should fetch again: the next rotation, or credvend's next re-read. */
  readonly expiration: Date
  readonly cache: 'hit' | 'miss' | 'stale'
}

interface Held {
  readonly accessKeyId: string
  readonly accessKeySecret: string
  readonly nextRotation: Date | undefined
  /** When credvend reads KMS again. */
  readonly refreshAtMs: number
  /** Until when the pair may still work, for serving while KMS is down. */
  readonly validUntilMs: number
  readonly generation: string
}

/**
 * The access-key path (PRODUCT.md §1, §4.1): the current pair of a KMS `RAMCredentials` secret,
 * re-read once per rotation — at NextRotationDate plus a delay and jitter, or after a maximum TTL
 * when KMS names none — single-flight, with the last good pair served while KMS is down only as
 * long as it can still work (until the next rotation plus the configured overlap). A caller's
 * report that the pair was refused refreshes at once, one refresh for any number of reports.
 * @public
 */
export const createAccessKeyService = (init: {
  readonly kms: KmsClient
  readonly source: CredentialProvider
  readonly now: () => Date
  readonly random: () => number
  readonly sharePending: boolean
  /** Fails fast while KMS is down, as STS's circuit does (`upstream.circuitFailures`, `circuitCooldownMs`). */
  readonly circuit?: { readonly failures: number; readonly cooldownMs: number }
}) => {
  const held = new Map<string, Held>()
  const circuit = createCircuit({ failures: init.circuit?.failures ?? 5, cooldownMs: init.circuit?.cooldownMs ?? 30_000, now: init.now, upstream: 'KMS' })
  const flights = createSingleFlight<Held>({ sharePending: init.sharePending })
  const lastReport = new Map<string, number>()
  const counters = { kmsCalls: 0, reportRefreshes: 0 }

  const read = (generation: string, name: string, profile: AccessKeyProfile, input: ProviderInput | undefined) =>
    flights.run(`${generation}|${name}`, async () => {
      const source = await init.source(input)
      const value = await circuit.run(() => {
        counters.kmsCalls++
        return init.kms.getSecretValue(source, { secretName: profile.secretName, fetchExtendedConfig: true })
      })
      if (value.secretType !== undefined && value.secretType.toLowerCase() !== 'ramcredentials') throw new VendError('ERR_KMS_SECRET_INVALID', 'the secret is not a RAMCredentials secret')
      let data: { accessKeyId: string; accessKeySecret: string }
      try {
        data = ramCredentialsData.parse(JSON.parse(value.secretData))
      } catch {
        // Never echo SecretData: it is the secret.
        throw new VendError('ERR_KMS_SECRET_INVALID', 'the secret does not hold an AccessKeyId and AccessKeySecret')
      }
      const nowMs = init.now().getTime()
      const next = value.nextRotationDate
      const delayMs = profile.rotationDelaySeconds * 1000
      let refreshAtMs: number
      let validUntilMs: number
      if (next && next.getTime() > nowMs) {
        // One read per rotation: just after it (jittered, so instances do not all read at once);
        // the pair is trusted until the rotation plus the secret's overlap.
        refreshAtMs = next.getTime() + delayMs + init.random() * delayMs
        validUntilMs = next.getTime() + profile.overlapSeconds * 1000
      } else if (next) {
        // The rotation is due but KMS still returns this pair: look again shortly.
        refreshAtMs = validUntilMs = nowMs + Math.max(delayMs, 30_000)
      } else {
        refreshAtMs = validUntilMs = nowMs + profile.maxTtlSeconds * 1000
      }
      const entry: Held = { ...data, nextRotation: next && next.getTime() > nowMs ? next : undefined, refreshAtMs, validUntilMs, generation }
      held.set(name, entry)
      return entry
    })

  const respond = (entry: Held, nowMs: number, cache: AccessKeyResult['cache']): AccessKeyResult => ({
    accessKeyId: entry.accessKeyId,
    accessKeySecret: entry.accessKeySecret,
    // Before the rotation, fetch again then; after it, when credvend will have the new pair.
    expiration: new Date(entry.nextRotation && entry.nextRotation.getTime() > nowMs ? entry.nextRotation.getTime() : entry.refreshAtMs),
    cache,
  })

  const profileFor = (profiles: ReadonlyMap<string, AccessKeyProfile>, name: string, caller: Caller) => {
    const profile = profiles.get(name)
    if (!profile || profile.disabled || !isAllowed(caller, profile.allow)) throw new VendError('ERR_NOT_FOUND', 'not found')
    return profile
  }

  return {
    async vend(generation: string, profiles: ReadonlyMap<string, AccessKeyProfile>, name: string, caller: Caller, input?: ProviderInput): Promise<AccessKeyResult> {
      const profile = profileFor(profiles, name, caller)
      const nowMs = init.now().getTime()
      const current = held.get(name)
      const usable = current?.generation === generation ? current : undefined
      if (usable && nowMs < Math.min(usable.refreshAtMs, usable.validUntilMs)) return respond(usable, nowMs, 'hit')
      try {
        return respond(await read(generation, name, profile, input), init.now().getTime(), 'miss')
      } catch (error) {
        if (usable && init.now().getTime() < usable.validUntilMs && isVendError(error) && (error.retryable || error.code === 'ERR_CIRCUIT_OPEN')) return respond(usable, nowMs, 'stale')
        throw error
      }
    },

    /**
     * `report-invalid`: only callers of the profile; a report about a pair other than the one
     * held (already replaced) changes nothing; at most one refresh per reportIntervalSeconds,
     * and concurrent reports share it.
     */
    async report(generation: string, profiles: ReadonlyMap<string, AccessKeyProfile>, name: string, caller: Caller, accessKeyId: string, input?: ProviderInput): Promise<AccessKeyResult & { refreshed: boolean }> {
      const profile = profileFor(profiles, name, caller)
      const current = held.get(name)
      const nowMs = init.now().getTime()
      if (current && current.accessKeyId !== accessKeyId) return { ...respond(current, nowMs, 'hit'), refreshed: false }
      // A refresh already running for this profile is joined; otherwise at most one per interval.
      if (!flights.running(`${generation}|${name}`)) {
        const last = lastReport.get(name)
        if (last !== undefined && nowMs - last < profile.reportIntervalSeconds * 1000) {
          throw new VendError('ERR_RATE_LIMITED', 'a refresh was just made for this profile', { retryAfterSeconds: Math.ceil((last + profile.reportIntervalSeconds * 1000 - nowMs) / 1000) })
        }
        lastReport.set(name, nowMs)
        counters.reportRefreshes++
      }
      return { ...respond(await read(generation, name, profile, input), init.now().getTime(), 'miss'), refreshed: true }
    },

    stats: () => ({ ...counters, circuit: circuit.state }),
  }
}

/** @public */
export type AccessKeyService = ReturnType<typeof createAccessKeyService>
