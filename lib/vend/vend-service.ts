import type { Caller } from '../auth/caller.ts'
import { createLru } from '../cache/lru.ts'
import { createSingleFlight } from '../cache/single-flight.ts'
import type { CompiledProfile, LoadedConfig } from '../config/load.ts'
import type { CredentialProvider, ProviderInput } from '../credentials/provider.ts'
import { VendError } from '../errors.ts'
import type { AuditFields } from '../audit/audited.ts'
import type { OssUploadProfile } from '../config/schema.ts'
import { substituteChecked, type RenderedPolicy } from '../policy/template.ts'
import type { StsClient } from '../sts/client.ts'
import { createCircuit } from '../upstream/circuit.ts'
import { withRetry } from '../upstream/retry.ts'
import { servesStale } from '../upstream/stale.ts'
import { isAllowed } from './allowed.ts'
import { vendCacheKey } from './cache-key.ts'
import { createHubChain } from './hub-chain.ts'
import {
  credentialsBody,
  postObjectBody,
  uploadBody,
  uploadPlace,
  type UploadPlace,
} from './responses.ts'
import { vendLane } from './vend-lane.ts'
import { sessionNameFor, sourceIdentityFor } from './session-name.ts'
import type { SharedVends } from './shared-vends.ts'
import { checkDeclared } from './check-declared.ts'
import type { StsVended } from './vended.ts'
import type { VendDeps } from './vend-deps.ts'
import type { VendEntry } from './vend-entry.ts'
import type { PresignRequest, presignUrl } from './presign-url.ts'

/** What a caller may ask for in the body (already parsed). @public */
export interface VendRequest {
  readonly durationSeconds?: number | undefined
  readonly minRemainingSeconds?: number | undefined
  readonly parameters?: Readonly<Record<string, string>> | undefined
  /** `oss-upload` only: answer with a signed PostObject form instead of an AccessKeySecret. */
  readonly form?: boolean | undefined
  /** `oss-upload` only: answer with a presigned URL for one object instead of an AccessKeySecret. */
  readonly presign?: PresignRequest | undefined
}

/** Served from cache after STS failed only while at least this much validity is left. */
const STALE_FLOOR_MS = 60_000

type CacheState = 'hit' | 'shared' | 'miss' | 'stale'

/** What one request's answer depends on besides the cached entry. */
interface Answering {
  readonly now: Date
  readonly minRemainingMs: number
  readonly upload: OssUploadProfile | undefined
  readonly place: UploadPlace | undefined
  readonly form: boolean
  /** The signer, loaded only for a presign request (a chunk of its own in the FC bundle). */
  readonly presign:
    { readonly request: PresignRequest; readonly sign: typeof presignUrl } | undefined
}

const servesForms = (
  profile: OssUploadProfile,
): profile is OssUploadProfile & { readonly form: NonNullable<OssUploadProfile['form']> } =>
  profile.form !== undefined

const NO_PARAMETERS: Readonly<Record<string, string>> = Object.freeze({})

const hasAny = (record: Readonly<Record<string, string>>) => {
  for (const _ in record) return true
  return false
}

/**
 * The STS vend path: authorize (deny by default, 404 either way), render the session policy, then
 * serve from cache or call STS once per key — single-flight, retried within a deadline, behind a
 * circuit — and, when STS fails, fall back to still-valid cached credentials. It answers with the
 * response the profile's kind calls for: credentials, upload credentials, or a PostObject form.
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
  /**
   * Throws to refuse an authorized caller the profile for now (a partner role found loose);
   * asked after authorization, so a caller the profile does not allow learns nothing of it.
   */
  readonly admitProfile?: (loaded: LoadedConfig, profileName: string) => void
}) => {
  const { deps, upstream } = init
  const cache = createLru<string, VendEntry>(init.maxEntries)
  const flights = createSingleFlight<{ entry: VendEntry; shared: boolean }>({
    sharePending: init.sharePending,
  })
  const circuit = createCircuit({
    failures: upstream.circuitFailures,
    cooldownMs: upstream.circuitCooldownMs,
    now: deps.now,
  })
  const disabledProfiles = new Set<string>()
  const counters = { stsCalls: 0 }
  const hubs = createHubChain({
    sts: init.sts,
    now: deps.now,
    sharePending: init.sharePending,
    onCall: () => void counters.stsCalls++,
  })
  const retry = { ...upstream, now: deps.now, sleep: deps.sleep, random: deps.random }

  const assume = (
    generation: string,
    compiled: CompiledProfile,
    caller: Caller,
    args: {
      readonly roleSessionName: string
      readonly durationSeconds: number
      readonly policy: string | undefined
      readonly policySha256: string | undefined
      readonly input: ProviderInput | undefined
      /** The STS lane the call queues in. */
      readonly lane: string
    },
  ): Promise<VendEntry> =>
    // The circuit sees every attempt, so one request's retries can open it; an open circuit is
    // not retryable, so the retry loop stops at once.
    withRetry(
      () =>
        circuit.run(async () => {
          const { profile, hops } = compiled
          const source = await init.source(args.input)
          const from = await hubs.walk(generation, hops, source, args.durationSeconds * 1000)
          counters.stsCalls++
          const reply = await init.sts.assumeRole(
            from,
            {
              roleArn: profile.roleArn,
              roleSessionName: args.roleSessionName,
              durationSeconds: args.durationSeconds,
              ...(args.policy === undefined ? {} : { policy: args.policy }),
              ...(compiled.externalId === undefined ? {} : { externalId: compiled.externalId }),
              ...(profile.sourceIdentity
                ? { sourceIdentity: await sourceIdentityFor(caller.id) }
                : {}),
            },
            args.lane,
          )
          const granted = reply.credentials.expiration
          // A chained session is served only while every link before it is still valid.
          const chainEnds = hops.length > 0 && from.expiration && from.expiration < granted
          return {
            generation,
            profile: compiled.name,
            callerId: caller.id,
            result: {
              ...reply.credentials,
              expiration: chainEnds ? from.expiration! : granted,
              roleSessionName: args.roleSessionName,
              roleArn: profile.roleArn,
              policySha256: args.policySha256,
              durationSeconds: args.durationSeconds,
              stsRequestId: reply.requestId,
            },
          }
        }),
      retry,
    )

  /** Where each rendering of an `oss-upload` profile uploads: worked out once, not per hit. */
  const places = new WeakMap<RenderedPolicy, UploadPlace>()
  const placeFor = (upload: OssUploadProfile, rendered: RenderedPolicy): UploadPlace => {
    let place = places.get(rendered)
    if (!place) {
      place = uploadPlace(upload, substituteChecked(upload.prefix, rendered.values))
      places.set(rendered, place)
    }
    return place
  }

  /** The answer the profile's kind calls for, with the fields of its audit line. */
  const respond = async (
    entry: VendEntry,
    cache: CacheState,
    at: Answering,
  ): Promise<StsVended> => {
    const granted = entry.result
    const nowMs = at.now.getTime()
    const refreshAfter = new Date(Math.max(nowMs, granted.expiration.getTime() - at.minRemainingMs))
    const audit: AuditFields = {
      roleArn: granted.roleArn,
      sessionName: granted.roleSessionName,
      policySha256: granted.policySha256 ?? null,
      durationSeconds: granted.durationSeconds,
      cache,
      stsRequestId: granted.stsRequestId ?? null,
    }
    const { upload, place } = at
    if (!upload || !place) {
      return { kind: 'sts', body: credentialsBody(granted, refreshAfter, at.now), cache, audit }
    }
    if (at.presign) {
      const body = await at.presign.sign({
        profile: upload,
        place,
        request: at.presign.request,
        granted,
        now: at.now,
        digests: deps.digests,
      })
      if (typeof body === 'string') throw new VendError('ERR_NARROWING_DENIED', body)
      return { kind: 'presigned-url', body, cache, audit }
    }
    if (!at.form || !servesForms(upload)) {
      const body = uploadBody(granted, refreshAfter, at.now, place)
      return { kind: 'oss-upload', body, cache, audit }
    }
    const { signPostObject } = await import('./sign-post-object.ts')
    const form = await signPostObject({
      profile: upload,
      prefix: place.Prefix,
      accessKeyId: granted.accessKeyId,
      accessKeySecret: granted.accessKeySecret,
      securityToken: granted.securityToken,
      expiration: granted.expiration,
      now: at.now,
    })
    const body = postObjectBody(granted, refreshAfter, at.now, place, form)
    return { kind: 'post-object', body, cache, audit }
  }

  const vend = async (
    loaded: LoadedConfig,
    profileName: string,
    caller: Caller,
    request: VendRequest,
    input?: ProviderInput,
  ): Promise<StsVended> => {
    const compiled = loaded.profiles.get(profileName)
    if (
      !compiled ||
      compiled.profile.disabled ||
      disabledProfiles.has(profileName) ||
      !isAllowed(caller, compiled.profile.allow)
    ) {
      throw new VendError('ERR_NOT_FOUND', 'not found')
    }
    init.admitProfile?.(loaded, profileName)
    const { profile } = compiled
    const upload = profile.kind === 'oss-upload' ? profile : undefined
    if (request.presign && (!upload || request.form)) {
      throw new VendError('ERR_BAD_REQUEST', 'presign is for oss-upload profiles, without form')
    }
    if (request.form && !upload?.form) {
      throw new VendError('ERR_BAD_REQUEST', 'this profile does not serve PostObject forms')
    }
    if (!request.form && upload?.form?.only) {
      throw new VendError(
        'ERR_NARROWING_DENIED',
        'this profile serves PostObject forms only: ask with {"form": true}',
      )
    }
    const durationSeconds = Math.min(
      Math.max(request.durationSeconds ?? compiled.duration.default, 900),
      compiled.duration.max,
    )
    const minRemainingMs = (request.minRemainingSeconds ?? durationSeconds / 2) * 1000
    if (minRemainingMs >= durationSeconds * 1000) {
      throw new VendError('ERR_NARROWING_DENIED', 'minRemainingSeconds must be below the duration')
    }
    const parameters = request.parameters ?? NO_PARAMETERS
    if (compiled.template) checkDeclared(compiled.profile, parameters)
    else if (hasAny(parameters)) {
      throw new VendError('ERR_BAD_REQUEST', 'this profile declares no parameters')
    }
    const rendered =
      compiled.fixedPolicy ??
      (compiled.renderPolicy ? await compiled.renderPolicy(caller, parameters) : undefined)
    const key = vendCacheKey(
      loaded.generation,
      caller.id,
      profileName,
      rendered ? rendered.sha256 : '-',
      durationSeconds,
    )
    // Rendered before any STS work: a value the prefix refuses costs no call.
    const place = upload && rendered ? placeFor(upload, rendered) : undefined
    const now = deps.now()
    const nowMs = now.getTime()
    const form = request.form === true
    let presign: Answering['presign']
    if (request.presign && upload && place) {
      const { presignRefusal, presignUrl } = await import('./presign-url.ts')
      const refused = presignRefusal(upload, place.Prefix, request.presign)
      if (refused) throw new VendError('ERR_NARROWING_DENIED', refused)
      presign = { request: request.presign, sign: presignUrl }
    }
    const answer = { now, minRemainingMs, upload, place, form, presign }

    const present = cache.get(key)
    if (present && present.result.expiration.getTime() - nowMs >= minRemainingMs) {
      return respond(present, 'hit', answer)
    }
    const usable = (entry: VendEntry) =>
      entry.result.expiration.getTime() - deps.now().getTime() >= minRemainingMs
    try {
      // Joiners share the leader's outcome, so only the leader is charged for the miss.
      const fresh = await flights.run(key, async () => {
        const found = await init.shared?.get(key)
        if (found && usable(found)) return { entry: found, shared: true }
        await init.admitMiss?.(caller.id)
        const compute = async () => {
          const roleSessionName = await sessionNameFor(
            caller.id,
            profile.sessionName,
            loaded.sessionNameKey,
          )
          return assume(loaded.generation, compiled, caller, {
            roleSessionName,
            durationSeconds,
            policy: rendered?.text,
            policySha256: rendered?.sha256,
            input,
            lane: vendLane(caller, profileName, loaded.config.sts.lanes.priority),
          })
        }
        return init.shared
          ? init.shared.fill(key, compute, usable)
          : { entry: await compute(), shared: false }
      })
      cache.set(key, fresh.entry)
      return respond(fresh.entry, fresh.shared ? 'shared' : 'miss', answer)
    } catch (error) {
      const remainingMs = present ? present.result.expiration.getTime() - nowMs : 0
      if (present && servesStale(error, remainingMs, STALE_FLOOR_MS))
        return respond(present, 'stale', answer)
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
    stats: () => ({
      cacheEntries: cache.size,
      stsCalls: counters.stsCalls,
      circuit: circuit.state,
    }),
  }
}

/** @public */
export type VendService = ReturnType<typeof createVendService>
