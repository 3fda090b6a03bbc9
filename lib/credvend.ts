import { createAudited, type AuditSubject } from './audit/audited.ts'
import type { Caller } from './auth/caller.ts'
import type { LoadedConfig } from './config/load.ts'
import type { CredentialProvider, ProviderInput } from './credentials/provider.ts'
import { isVendError, VendError } from './errors.ts'
import { buildGeneration, type Generation } from './generation.ts'
import { createLimits } from './limits/limits.ts'
import type { LogSink } from './log.ts'
import type { CredvendMetrics } from './metrics/credvend-metrics.ts'
import type { AlibabaIdentity } from './session/session-token.ts'
import type { TrustRunResult } from './partners/trust-run.ts'
import { createTrustWatch } from './partners/trust-watch.ts'
import type { NonceClaims } from './session/nonce-window.ts'
import type { SharedState } from './store/shared-state.ts'
import type { StsClient } from './sts/client.ts'
import type { StsGovernor } from './store/sts-governor.ts'
import type { AccessKeyService, Reported } from './vend/access-key-service.ts'
import { createSharedVends } from './vend/shared-vends.ts'
import type { Vended } from './vend/vended.ts'
import type { VendDeps } from './vend/vend-deps.ts'
import { createVendService, type VendRequest } from './vend/vend-service.ts'

/** The longest a failing source credential goes unasked by /readyz. */
const READINESS_BACKOFF_MAX_MS = 60_000

/** Counters for tests, the bench and operators' debugging; never a secret. @public */
export interface CredvendStats {
  readonly cacheEntries: number
  readonly stsCalls: number
  readonly circuit: 'closed' | 'open'
  readonly governor: {
    readonly admitted: number
    readonly waited: number
    readonly refused: number
  }
  readonly kmsCalls: number
  readonly reportRefreshes: number
  readonly loginStsCalls: number
  readonly outcomes: Readonly<Record<string, number>>
  readonly tokenCacheEntries: number
}

/**
 * What the routes may ask of credvend: every caller-facing operation, the few facts of the
 * current generation a route needs, and the operations. Nothing here hands out the configuration.
 * @public
 */
export interface Credvend {
  authenticate(authorization: string | undefined): Promise<Caller>
  /** One vend of any profile kind, audited, answered in the shape its route sends. */
  vend(
    caller: Caller,
    profile: string,
    request: VendRequest,
    requestId: string,
    input?: ProviderInput,
  ): Promise<Vended>
  /** `report-invalid` of an access-key profile. */
  reportInvalid(
    caller: Caller,
    profile: string,
    accessKeyId: string,
    requestId: string,
    input?: ProviderInput,
  ): Promise<Reported>
  /** `POST /v1/session/alibaba`; a deployment that has not enabled it answers 404. */
  loginAlibaba(
    body: unknown,
    requestId: string,
    /** Runtimes that cannot tell the address pass undefined. */
    sourceAddress?: string,
  ): Promise<{ token: string; expiration: Date; identity: AlibabaIdentity }>
  /** The pre-authentication limit; runtimes that cannot tell the address pass undefined. */
  limitSourceAddress(address: string | undefined): Promise<void>
  /** The exact origins a live `oss-upload` profile lists for CORS; none for any other name. */
  corsOrigins(profile: string): readonly string[]
  /**
   * One run of the partner trust watch when the config has `partnerTrust` and a run is due: what
   * a runtime's timer or cron trigger calls. `undefined` when nothing ran.
   */
  checkPartnerTrust(input?: ProviderInput): Promise<readonly TrustRunResult[] | undefined>
  /** Whether this deployment serves /metrics, /openapi.json and readiness details. */
  readonly internal: boolean
  readonly metrics: { render(): string; error(code: string): void }
  readonly generation: string
  /** Swaps in a fully loaded generation and drops credentials granted under older rules. */
  reload(loaded: LoadedConfig): void
  disableProfile(name: string): void
  revokeApiKey(id: string): void
  stats(): CredvendStats
  /** Which source credvend's identity comes from, or why there is none (never a secret). */
  readiness(
    input?: ProviderInput,
  ): Promise<{ ready: true; source: string } | { ready: false; reason: string }>
}

/** What `assemble` has built before credvend itself: the parts shared with the runtime. @internal */
export interface CredvendParts {
  readonly loaded: LoadedConfig
  readonly deps: VendDeps
  readonly log: LogSink
  readonly metrics: CredvendMetrics
  readonly sts: StsClient
  readonly governor: StsGovernor
  readonly source: CredentialProvider
  /** False on Workers, which may not await another request's promise. */
  readonly sharePending: boolean
  readonly nonces: NonceClaims
  readonly shared: SharedState | undefined
}

/**
 * credvend's state: the current generation with its authenticator, the services whose caches
 * outlive reloads (keyed by generation), and the operations. Reload is atomic: a new generation
 * is built completely, then swapped in one assignment.
 * @internal
 */
export const createCredvend = (parts: CredvendParts): Credvend => {
  const { deps, log, metrics, shared, sts, governor, source } = parts
  const elapsedMs = deps.elapsedMs ?? (() => deps.now().getTime())
  const { config } = parts.loaded
  const revokedKeys = new Set<string>()
  const logins = { stsCalls: 0 }
  let notReady: { untilMs: number; backoffMs: number; reason: string } | undefined
  const generation = (loaded: LoadedConfig): Generation =>
    buildGeneration(loaded, {
      deps,
      revokedKeys,
      nonces: parts.nonces,
      gate: governor.gate,
      onLoginStsCall: (outcome) => {
        logins.stsCalls++
        metrics.stsCalls.inc({ action: 'GetCallerIdentity', outcome })
      },
    })
  let current = generation(parts.loaded)

  const limits = createLimits({ limits: config.limits, now: deps.now, shared, metrics })
  const { audited, outcomes } = createAudited({ log, metrics, elapsedMs, admit: limits.caller })
  const trust = createTrustWatch({ sts, source, now: deps.now, randomId: deps.randomId, log })
  const vends = createVendService({
    deps,
    admitProfile: trust.admit,
    sts,
    source,
    sharePending: parts.sharePending,
    maxEntries: config.cache.maxEntries,
    upstream: config.upstream,
    admitMiss: limits.misses,
    ...(shared
      ? {
          shared: createSharedVends({
            shared,
            now: deps.now,
            sleep: deps.sleep,
            deadlineMs: () => current.loaded.config.upstream.deadlineMs,
          }),
        }
      : {}),
  })
  // Only a deployment with access-key profiles uses it: on Function Compute it is a file of its
  // own, loaded by the first access-key request.
  let accessKeys: AccessKeyService | undefined
  let loadingKeys: Promise<AccessKeyService> | undefined
  const keyService = () =>
    (loadingKeys ??= import('./vend/access-key-service.ts').then(
      ({ createAccessKeyService }) =>
        (accessKeys = createAccessKeyService({
          source,
          now: deps.now,
          random: deps.random,
          sharePending: parts.sharePending,
          circuit: {
            failures: config.upstream.circuitFailures,
            cooldownMs: config.upstream.circuitCooldownMs,
          },
        })),
      (error: unknown) => {
        // A file that failed to load (a full disk, a deploy in progress) is tried again next time.
        loadingKeys = undefined
        throw error
      },
    ))
  // Once loaded, a request goes straight to it: no extra await on the hit path.
  const withKeys = <T>(use: (service: AccessKeyService) => Promise<T>): Promise<T> =>
    accessKeys ? use(accessKeys) : keyService().then(use)
  const keyStats = () =>
    accessKeys?.stats() ?? { kmsCalls: 0, reportRefreshes: 0, circuit: 'closed' as const }
  metrics.watch({
    cacheEntries: () => vends.stats().cacheEntries,
    tokenCacheEntries: () => current.tokenCache.size,
    circuitOpen: () => vends.stats().circuit === 'open',
    stsClockOffsetSeconds: () => sts.clockOffsetMs() / 1000,
    governor: () => governor.stats(),
    lanes: () => governor.laneStats(),
    kmsCalls: () => keyStats().kmsCalls,
    kmsCircuitOpen: () => keyStats().circuit === 'open',
    partnerTrust: () => trust.verdicts(current.loaded),
    ...(shared ? { redis: shared.stats } : {}),
  })

  /** Access-key profiles exist only on the internal function with a KMS endpoint. */
  const servedKeys = () => {
    const { loaded, kms } = current
    return loaded.config.exposeInternalRoutes && kms
      ? { generation: loaded.generation, profiles: loaded.accessKeyProfiles, kms }
      : undefined
  }

  return {
    authenticate: (authorization) => current.authenticate(authorization),
    vend(caller, profile, request, requestId, input) {
      const { loaded } = current
      const { generation } = loaded
      // The one place that tells the two paths apart: KMS-rotated AccessKeys, or STS.
      if (loaded.accessKeyProfiles.has(profile)) {
        const subject: AuditSubject = {
          requestId,
          callerId: caller.id,
          profile,
          generation,
          kind: 'access-key',
        }
        return audited(subject, () =>
          withKeys((keys) => keys.vend(servedKeys(), profile, caller, request, input)),
        )
      }
      return audited({ requestId, callerId: caller.id, profile, generation }, () =>
        vends.vend(loaded, profile, caller, request, input),
      )
    },
    reportInvalid(caller, profile, accessKeyId, requestId, input) {
      const subject: AuditSubject = {
        requestId,
        callerId: caller.id,
        profile,
        generation: current.loaded.generation,
        kind: 'access-key',
        event: 'report-invalid',
      }
      return audited(subject, () =>
        withKeys((keys) => keys.report(servedKeys(), profile, caller, accessKeyId, input)),
      )
    },
    async loginAlibaba(body, requestId, sourceAddress) {
      const login = current.loginAlibaba
      if (!login) throw new VendError('ERR_NOT_FOUND', 'not found')
      await limits.loginAddress(sourceAddress)
      const line = { type: 'audit', requestId, event: 'alibaba-login' }
      try {
        const result = await login(body)
        const { account, role } = result.identity
        log({ ...line, outcome: 'ok', callerId: `alibaba.${account}.${role}` })
        return result
      } catch (error) {
        log({ ...line, outcome: isVendError(error) ? error.code : 'ERR_INTERNAL' })
        throw error
      }
    },
    limitSourceAddress: limits.address,
    checkPartnerTrust: (input) => trust.runDue(current.loaded, input),
    corsOrigins(name) {
      const profile = current.loaded.profiles.get(name)?.profile
      return profile?.kind === 'oss-upload' && !profile.disabled ? profile.corsOrigins : []
    },
    get internal() {
      return current.loaded.config.exposeInternalRoutes
    },
    metrics: { render: metrics.render, error: (code) => metrics.errors.inc({ code }) },
    get generation() {
      return current.loaded.generation
    },
    reload(loaded) {
      current = generation(loaded)
      governor.setDeadline(loaded.config.upstream.deadlineMs, loaded.config.sts.lanes)
      limits.reload(loaded.config.limits)
      const purged = vends.keepGeneration(loaded.generation)
      log({
        type: 'config',
        event: 'reloaded',
        generation: loaded.generation,
        purgedEntries: purged,
      })
    },
    disableProfile(name) {
      const purged = vends.disableProfile(name)
      log({ type: 'ops', event: 'profile-disabled', profile: name, purgedEntries: purged })
    },
    revokeApiKey(id) {
      revokedKeys.add(id)
      const purged = vends.purgeCaller(`key.${id}`)
      log({ type: 'ops', event: 'api-key-revoked', keyId: id, purgedEntries: purged })
    },
    stats: () => {
      const keys = keyStats()
      return {
        ...vends.stats(),
        governor: governor.stats(),
        kmsCalls: keys.kmsCalls,
        reportRefreshes: keys.reportRefreshes,
        loginStsCalls: logins.stsCalls,
        outcomes: outcomes(),
        tokenCacheEntries: current.tokenCache.size,
      }
    },
    async readiness(input) {
      // A failing source is asked again only after a back-off: each ask may reach STS or the
      // metadata service, and /readyz is polled by platforms and reachable by anyone.
      // Credentials handed in with the request (FC) cost nothing to check: never held back.
      const nowMs = deps.now().getTime()
      const handed = input?.fcCredentials !== undefined
      if (!handed && notReady && nowMs < notReady.untilMs) {
        return { ready: false, reason: notReady.reason }
      }
      try {
        const { source: name } = await source(input)
        notReady = undefined
        return { ready: true, source: name }
      } catch (error) {
        const backoffMs = Math.min(READINESS_BACKOFF_MAX_MS, (notReady?.backoffMs ?? 500) * 2)
        const reason = isVendError(error) ? error.message : 'source credentials unavailable'
        if (!handed) notReady = { untilMs: nowMs + backoffMs, backoffMs, reason }
        return { ready: false, reason }
      }
    },
  }
}
