import type { AuditFields } from '../audit/audited.ts'
import type { Caller } from '../auth/caller.ts'
import type { AccessKeyProfile } from '../config/schema.ts'
import type { CredentialProvider, ProviderInput } from '../credentials/provider.ts'
import { createSingleFlight } from '../cache/single-flight.ts'
import { VendError } from '../errors.ts'
import { ramCredentialsData, type KmsClient } from '../kms/client.ts'
import { createCircuit } from '../upstream/circuit.ts'
import { servesStale } from '../upstream/stale.ts'
import { isAllowed } from './allowed.ts'
import { accessKeyBody, type AccessKeyBody } from './responses.ts'
import type { VendRequest } from './vend-service.ts'
import type { KeyVended } from './vended.ts'

/**
 * The access-key profiles a generation serves and the KMS client that reads them: only the
 * internal function with a KMS endpoint has any; elsewhere they are as unknown as any other name.
 * @internal
 */
export interface ServedKeys {
  readonly generation: string
  readonly profiles: ReadonlyMap<string, AccessKeyProfile>
  readonly kms: KmsClient
}

/** A served AccessKey pair and when to fetch again. @public */
export interface AccessKeyResult {
  readonly accessKeyId: string
  readonly accessKeySecret: string
  /** When the caller should fetch again: the next rotation, or credvend's next re-read. */
  readonly expiration: Date
  readonly cache: 'hit' | 'miss' | 'stale'
}

/** The answer to `report-invalid`: the pair now held, and whether this report refreshed it. @internal */
export interface Reported {
  readonly body: AccessKeyBody & { readonly Refreshed: boolean }
  readonly cache: AccessKeyResult['cache']
  readonly audit: AuditFields
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
 * The access-key path (infra/SERVICES.md, 'KMS-managed AccessKeys'): the current pair of a KMS
 * `RAMCredentials` secret, re-read once per rotation — at NextRotationDate plus a delay and
 * jitter, or after a maximum TTL when KMS names none — single-flight, with the last good pair
 * served while KMS is down only as long as it can still work (until the next rotation plus the
 * configured overlap). A caller's report that the pair was refused refreshes at once, one refresh
 * for any number of reports.
 * @public
 */
export const createAccessKeyService = (init: {
  readonly source: CredentialProvider
  readonly now: () => Date
  readonly random: () => number
  readonly sharePending: boolean
  /** Fails fast while KMS is down, as STS's circuit does (`upstream.circuitFailures`, `circuitCooldownMs`). */
  readonly circuit?: { readonly failures: number; readonly cooldownMs: number }
}) => {
  const held = new Map<string, Held>()
  const circuit = createCircuit({
    failures: init.circuit?.failures ?? 5,
    cooldownMs: init.circuit?.cooldownMs ?? 30_000,
    now: init.now,
    upstream: 'KMS',
  })
  const flights = createSingleFlight<Held>({ sharePending: init.sharePending })
  const lastReport = new Map<string, number>()
  const counters = { kmsCalls: 0, reportRefreshes: 0 }

  const read = (
    served: ServedKeys,
    name: string,
    profile: AccessKeyProfile,
    input: ProviderInput | undefined,
  ) =>
    flights.run(`${served.generation}|${name}`, async () => {
      const { generation } = served
      const source = await init.source(input)
      const value = await circuit.run(() => {
        counters.kmsCalls++
        return served.kms.getSecretValue(source, {
          secretName: profile.secretName,
          fetchExtendedConfig: true,
        })
      })
      if (value.secretType !== undefined && value.secretType.toLowerCase() !== 'ramcredentials')
        throw new VendError('ERR_KMS_SECRET_INVALID', 'the secret is not a RAMCredentials secret')
      let data: { accessKeyId: string; accessKeySecret: string }
      try {
        data = ramCredentialsData.parse(JSON.parse(value.secretData))
      } catch {
        // Never echo SecretData: it is the secret.
        throw new VendError(
          'ERR_KMS_SECRET_INVALID',
          'the secret does not hold an AccessKeyId and AccessKeySecret',
        )
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
      const entry: Held = {
        ...data,
        nextRotation: next && next.getTime() > nowMs ? next : undefined,
        refreshAtMs,
        validUntilMs,
        generation,
      }
      held.set(name, entry)
      return entry
    })

  const respond = (
    entry: Held,
    nowMs: number,
    cache: AccessKeyResult['cache'],
  ): AccessKeyResult => ({
    accessKeyId: entry.accessKeyId,
    accessKeySecret: entry.accessKeySecret,
    // Before the rotation, fetch again then; after it, when credvend will have the new pair.
    expiration: new Date(
      entry.nextRotation && entry.nextRotation.getTime() > nowMs
        ? entry.nextRotation.getTime()
        : entry.refreshAtMs,
    ),
    cache,
  })

  /** The profile and what serves it, or the same 404 as for a name that does not exist. */
  const profileFor = (served: ServedKeys | undefined, name: string, caller: Caller) => {
    const profile = served?.profiles.get(name)
    if (!served || !profile || profile.disabled || !isAllowed(caller, profile.allow))
      throw new VendError('ERR_NOT_FOUND', 'not found')
    return { served, profile }
  }

  return {
    async vend(
      served: ServedKeys | undefined,
      name: string,
      caller: Caller,
      request: VendRequest,
      input?: ProviderInput,
    ): Promise<KeyVended> {
      const { served: keys, profile } = profileFor(served, name, caller)
      if (
        request.form ||
        request.presign ||
        request.parameters ||
        request.durationSeconds !== undefined
      )
        throw new VendError('ERR_BAD_REQUEST', 'access-key profiles take no narrowing')
      const answer = (result: AccessKeyResult): KeyVended => ({
        kind: 'access-key',
        body: accessKeyBody(result),
        cache: result.cache,
        audit: { cache: result.cache },
      })
      const nowMs = init.now().getTime()
      const current = held.get(name)
      const usable = current?.generation === keys.generation ? current : undefined
      if (usable && nowMs < Math.min(usable.refreshAtMs, usable.validUntilMs))
        return answer(respond(usable, nowMs, 'hit'))
      try {
        return answer(respond(await read(keys, name, profile, input), init.now().getTime(), 'miss'))
      } catch (error) {
        if (usable && servesStale(error, usable.validUntilMs - init.now().getTime(), 0))
          return answer(respond(usable, nowMs, 'stale'))
        throw error
      }
    },

    /**
     * `report-invalid`: only callers of the profile; a report about a pair other than the one
     * held (already replaced) changes nothing; at most one refresh per reportIntervalSeconds,
     * and concurrent reports share it.
     */
    async report(
      served: ServedKeys | undefined,
      name: string,
      caller: Caller,
      accessKeyId: string,
      input?: ProviderInput,
    ): Promise<Reported> {
      const { served: keys, profile } = profileFor(served, name, caller)
      const answer = (result: AccessKeyResult, refreshed: boolean): Reported => ({
        body: { ...accessKeyBody(result), Refreshed: refreshed },
        cache: result.cache,
        audit: { cache: result.cache },
      })
      const { generation } = keys
      // Only a pair this generation read: after a reload the held one may be another secret's.
      const heldPair = held.get(name)
      const current = heldPair?.generation === generation ? heldPair : undefined
      const nowMs = init.now().getTime()
      if (current && current.accessKeyId !== accessKeyId)
        return answer(respond(current, nowMs, 'hit'), false)
      // A refresh already running for this profile is joined; otherwise at most one per interval.
      if (!flights.running(`${generation}|${name}`)) {
        const last = lastReport.get(name)
        if (last !== undefined && nowMs - last < profile.reportIntervalSeconds * 1000) {
          throw new VendError('ERR_RATE_LIMITED', 'a refresh was just made for this profile', {
            retryAfterSeconds: Math.ceil(
              (last + profile.reportIntervalSeconds * 1000 - nowMs) / 1000,
            ),
          })
        }
        lastReport.set(name, nowMs)
        counters.reportRefreshes++
      }
      return answer(
        respond(await read(keys, name, profile, input), init.now().getTime(), 'miss'),
        true,
      )
    },

    stats: () => ({ ...counters, circuit: circuit.state }),
  }
}

/** @public */
export type AccessKeyService = ReturnType<typeof createAccessKeyService>
