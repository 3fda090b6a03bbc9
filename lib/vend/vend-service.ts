import type { Caller } from '../auth/caller.ts'
import type { LoadedConfig } from '../config/load.ts'
import type { Profile } from '../config/schema.ts'
import type { CredentialProvider, ProviderInput } from '../credentials/provider.ts'
import { createLru } from '../cache/lru.ts'
import { createSingleFlight } from '../cache/single-flight.ts'
import { VendError, isVendError } from '../errors.ts'
import { renderTemplate, substituteChecked } from '../policy/template.ts'
import type { StsClient } from '../sts/client.ts'
import { createCircuit } from '../upstream/circuit.ts'
import { withRetry } from '../upstream/retry.ts'
import { isAllowed } from './allowed.ts'
import { vendCacheKey } from './cache-key.ts'
import { sessionNameFor } from './session-name.ts'
import { createHubChain } from './hub-chain.ts'
import { templateValues } from './template-values.ts'
import type { VendDeps } from './vend-deps.ts'
import type { SharedVends } from './shared-vends.ts'

/** What a caller may ask for in the body (already parsed). @public */
export interface VendRequest {
  readonly durationSeconds?: number | undefined
  readonly minRemainingSeconds?: number | undefined
  readonly parameters?: Readonly<Record<string, string>> | undefined
  /** `oss-upload` only: answer with a signed PostObject form instead of an AccessKeySecret. */
  readonly form?: boolean | undefined
}

/** One vend's outcome. @public */
export interface VendResult {
  readonly accessKeyId: string
  readonly accessKeySecret: string
  readonly securityToken: string
  readonly expiration: Date
  readonly refreshAfter: Date
  readonly roleSessionName: string
  readonly roleArn: string
  readonly policySha256: string | undefined
  readonly durationSeconds: number
  /** `shared`: another instance's vend, read from the shared store. */
  readonly cache: 'hit' | 'shared' | 'miss' | 'stale'
  readonly stsRequestId: string | undefined
  /** `oss-upload` only: the caller's rendered prefix. */
  readonly prefix: string | undefined
  /** The profile as configured in the generation that granted this vend (a reload may follow). */
  readonly profile: Profile
}

/** A cached vend, as kept here and (sealed) in the shared store. @internal */
export interface VendEntry {
  readonly result: Omit<VendResult, 'cache' | 'refreshAfter' | 'prefix' | 'profile'>
  readonly generation: string
  readonly profile: string
  readonly callerId: string
}

/** Served from cache after STS failed only while at least this much validity is left. */
const STALE_FLOOR_MS = 60_000

/**
 * The vend path: authorize (deny by default, 404 either way), render the session policy, then
 * serve from cache or call STS once per key — single-flight, retried within a deadline, behind a
 * circuit — and, when STS fails, fall back to still-valid cached credentials.
 * @public
 */
export const createVendService = (init: {
  readonly deps: VendDeps
  readonly sts: StsClient
  readonly source: CredentialProvider
  readonly sharePending: boolean
  readonly maxEntries: number
  readonly upstream: LoadedConfig['config']['upstream']
  /** Charges the caller for new STS work (throws 429 past its limit); joining a flight is free. */
  readonly admitMiss?: (callerId: string) => Promise<void>
  /** Credentials shared with other instances (Redis); absent, each instance keeps its own. */
  readonly shared?: SharedVends
}) => {
  const { deps, upstream } = init
  const cache = createLru<string, VendEntry>(init.maxEntries)
  const flights = createSingleFlight<{ entry: VendEntry; shared: boolean }>({ sharePending: init.sharePending })
  const circuit = createCircuit({ failures: upstream.circuitFailures, cooldownMs: upstream.circuitCooldownMs, now: deps.now })
  const disabledProfiles = new Set<string>()
  const counters = { stsCalls: 0 }
  const hubs = createHubChain({ sts: init.sts, now: deps.now, sharePending: init.sharePending, onCall: () => void counters.stsCalls++ })

  const assume = (loaded: LoadedConfig, caller: Caller, profileName: string, args: { roleSessionName: string; durationSeconds: number; policy: string | undefined; policySha256: string | undefined; input: ProviderInput | undefined }) =>
    // The circuit sees every attempt, so one request's retries can open it; an open circuit is
    // not retryable, so the retry loop stops at once.
    withRetry(() =>
      circuit.run(async () => {
        const compiled = loaded.profiles.get(profileName)!
        const from = await hubs.walk(loaded.generation, compiled.hops, await init.source(args.input), args.durationSeconds * 1000)
        counters.stsCalls++
        const reply = await init.sts.assumeRole(from, {
          roleArn: compiled.profile.roleArn,
          roleSessionName: args.roleSessionName,
          durationSeconds: args.durationSeconds,
          ...(args.policy === undefined ? {} : { policy: args.policy }),
          ...(compiled.externalId === undefined ? {} : { externalId: compiled.externalId }),
          ...(compiled.profile.sourceIdentity ? { sourceIdentity: caller.id.slice(0, 64) } : {}),
        })
        const entry: VendEntry = {
          generation: loaded.generation,
          profile: profileName,
          callerId: caller.id,
          // A chained session is served only while every link before it is still valid.
          result: { ...reply.credentials, expiration: compiled.hops.length > 0 && from.expiration && from.expiration < reply.credentials.expiration ? from.expiration : reply.credentials.expiration, roleSessionName: args.roleSessionName, roleArn: compiled.profile.roleArn, policySha256: args.policySha256, durationSeconds: args.durationSeconds, stsRequestId: reply.requestId },
        }
        return entry
      }),
      { ...upstream, now: deps.now, sleep: deps.sleep, random: deps.random },
    )

  const vend = async (loaded: LoadedConfig, caller: Caller, profileName: string, request: VendRequest, input?: ProviderInput): Promise<VendResult> => {
    const compiled = loaded.profiles.get(profileName)
    if (!compiled || compiled.profile.disabled || disabledProfiles.has(profileName) || !isAllowed(caller, compiled.profile.allow)) {
      throw new VendError('ERR_NOT_FOUND', 'not found')
    }
    const { profile } = compiled
    if (request.form && (profile.kind !== 'oss-upload' || !profile.form)) throw new VendError('ERR_BAD_REQUEST', 'this profile does not serve PostObject forms')
    if (!request.form && profile.kind === 'oss-upload' && profile.form?.only) {
      throw new VendError('ERR_NARROWING_DENIED', 'this profile serves PostObject forms only: ask with {"form": true}')
    }
    const durationSeconds = Math.min(Math.max(request.durationSeconds ?? compiled.duration.default, 900), compiled.duration.max)
    const minRemainingMs = (request.minRemainingSeconds ?? durationSeconds / 2) * 1000
    if (minRemainingMs >= durationSeconds * 1000) throw new VendError('ERR_NARROWING_DENIED', 'minRemainingSeconds must be below the duration')
    const rendered = compiled.template ? await renderTemplate(compiled.template, templateValues(caller, compiled, request.parameters ?? {})) : undefined
    if (!compiled.template && Object.keys(request.parameters ?? {}).length > 0) throw new VendError('ERR_BAD_REQUEST', 'this profile declares no parameters')
    const key = vendCacheKey({
      generation: loaded.generation, callerId: caller.id, profile: profileName, roleArn: compiled.profile.roleArn,
      externalIdHash: compiled.externalIdHash, policySha256: rendered?.sha256 ?? '-', durationSeconds,
    })
    const prefix = profile.kind === 'oss-upload' && rendered ? substituteChecked(profile.prefix, rendered.values) : undefined
    const nowMs = deps.now().getTime()
    const present = cache.get(key)
    const respond = (entry: VendEntry, state: VendResult['cache']): VendResult => ({
      ...entry.result,
      cache: state,
      prefix,
      profile,
      refreshAfter: new Date(Math.max(nowMs, entry.result.expiration.getTime() - minRemainingMs)),
    })
    if (present && present.result.expiration.getTime() - nowMs >= minRemainingMs) return respond(present, 'hit')
    const usable = (entry: VendEntry) => entry.result.expiration.getTime() - deps.now().getTime() >= minRemainingMs
    try {
      // Joiners share the leader's outcome, so only the leader is charged for the miss.
      const fresh = await flights.run(key, async () => {
        const found = await init.shared?.get(key)
        if (found && usable(found)) return { entry: found, shared: true }
        await init.admitMiss?.(caller.id)
        const compute = async () => {
          const roleSessionName = await sessionNameFor(caller.id, compiled.profile.sessionName, loaded.sessionNameKey)
          return assume(loaded, caller, profileName, { roleSessionName, durationSeconds, policy: rendered?.text, policySha256: rendered?.sha256, input })
        }
        return init.shared ? init.shared.fill(key, compute, usable) : { entry: await compute(), shared: false }
      })
      cache.set(key, fresh.entry)
      return respond(fresh.entry, fresh.shared ? 'shared' : 'miss')
    } catch (error) {
      const stillValid = present && present.result.expiration.getTime() - nowMs > STALE_FLOOR_MS
      // Unavailable, open or over budget (the governor's refusal is final for this request, not
      // for the credentials already held): still-valid credentials beat a 503.
      const upstreamDown = isVendError(error) && (error.retryable || error.code === 'ERR_CIRCUIT_OPEN' || error.code === 'ERR_STS_THROTTLED')
      if (stillValid && upstreamDown) return respond(present, 'stale')
      throw error
    }
  }

  return {
    vend,
    /** Takes effect at once: the profile answers 404 and its cached credentials are dropped. */
    disableProfile(name: string): number {
      disabledProfiles.add(name)
      return cache.purge((_, e) => e.profile === name)
    },
    /** Drops cached credentials of one caller (e.g. a revoked API key). */
    purgeCaller: (callerId: string) => cache.purge((_, e) => e.callerId === callerId),
    /** Drops every entry not granted under `generation` (after a reload). */
    keepGeneration: (generation: string) => {
      hubs.keepGeneration(generation)
      return cache.purge((_, e) => e.generation !== generation)
    },
    stats: () => ({ cacheEntries: cache.size, stsCalls: counters.stsCalls, circuit: circuit.state }),
  }
}

/** @public */
export type VendService = ReturnType<typeof createVendService>
