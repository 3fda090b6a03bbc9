import { createAuthenticator, type Authenticate } from './auth/authenticator.ts'
import type { Caller } from './auth/caller.ts'
import { issuerVerifier } from './auth/jwt.ts'
import { createTokenCache } from './auth/token-cache.ts'
import type { LoadedConfig } from './config/load.ts'
import type { CredentialProvider, ProviderInput } from './credentials/provider.ts'
import { isVendError, VendError } from './errors.ts'
import { createKmsClient } from './kms/client.ts'
import { createAccessKeyService } from './vend/access-key-service.ts'
import { createAlibabaLogin } from './session/alibaba-login.ts'
import { alibabaCaller } from './session/session-token.ts'
import { isAllowed } from './vend/allowed.ts'
import { createNonceWindow, type NonceClaims } from './session/nonce-window.ts'
import type { LogSink } from './log.ts'
import { addressKey } from './limits/address-key.ts'
import { createRateLimiter, type RateLimit } from './limits/rate-limiter.ts'
import { createCredvendMetrics } from './metrics/credvend-metrics.ts'
import { createStsClient, type StsClient } from './sts/client.ts'
import { createGovernor } from './upstream/governor.ts'
import { createSharedGovernor } from './shared/shared-governor.ts'
import { sharedNonces, sharedRateLimiter } from './shared/shared-limits.ts'
import type { SharedState } from './shared/shared-state.ts'
import { createSharedVends } from './vend/shared-vends.ts'
import { createVendService, type VendRequest, type VendResult } from './vend/vend-service.ts'
import type { VendDeps } from './vend/vend-deps.ts'

/** @public */
export interface CredvendInit {
  readonly loaded: LoadedConfig
  readonly deps: VendDeps
  /**
   * credvend's own identity; a `chain` is handed credvend's governed STS client, so provider
   * refreshes (OIDC, chained roles) count against the same budget as vends.
   */
  readonly source: CredentialProvider | { readonly chain: (sts: StsClient) => CredentialProvider }
  readonly log: LogSink
  /** False on Workers, which may not await another request's promise. */
  readonly sharePending: boolean
  /**
   * State shared with other instances (Redis on Node/FC, from `openSharedState`): credential
   * cache, STS governor, rate limits and login nonces. Absent, each instance keeps its own.
   */
  readonly shared?: SharedState
}

const buildGeneration = (loaded: LoadedConfig, deps: VendDeps, revokedKeys: ReadonlySet<string>, nonces: NonceClaims, onStsCall: (outcome: string) => void, gate: <T>(send: () => Promise<T>) => Promise<T>) => {
  // At least as many verified tokens as cached sessions: a smaller LRU, scanned in order, forgets every one.
  const tokenCache = createTokenCache(Math.max(10_000, loaded.config.cache.maxEntries))
  const issuers = loaded.config.callers.jwt.map((config) =>
    issuerVerifier(config, deps, (issuerId, kids) => tokenCache.keySetChanged(issuerId, kids)),
  )
  const authenticate: Authenticate = createAuthenticator({ issuers, apiKeys: loaded.apiKeys, revokedKeys, tokenCache, now: deps.now, sessionTokenKey: loaded.sessionTokenKey })
  const login = loaded.config.callers.alibaba
  const loginAlibaba = login?.enabled && loaded.sessionTokenKey
    ? createAlibabaLogin({
        stsEndpoint: loaded.config.sts.endpoint, timeoutMs: loaded.config.sts.timeoutMs, fetch: deps.fetch, now: deps.now,
        accounts: new Set(login.accounts), windowSeconds: login.windowSeconds, sessionMinutes: login.sessionMinutes,
        sessionTokenKey: loaded.sessionTokenKey, nonces, onStsCall, gate,
        allowed: (identity) => [...loaded.profiles.values()].some((p) => !p.profile.disabled && isAllowed(alibabaCaller(identity), p.profile.allow)),
      })
    : undefined
  const kms = loaded.config.kms ? createKmsClient({ endpoint: loaded.config.kms.endpoint, timeoutMs: loaded.config.kms.timeoutMs }, deps) : undefined
  return { loaded, tokenCache, authenticate, loginAlibaba, kms }
}

/**
 * credvend's state: the current configuration generation with its authenticator, the vend
 * service whose cache outlives reloads (keyed by generation), and the operations. Reload is
 * atomic: a new generation is built completely, then swapped in one assignment.
 * @public
 */
export const createCredvend = (init: CredvendInit) => {
  const { deps, log } = init
  const elapsedMs = deps.elapsedMs ?? (() => deps.now().getTime())
  const revokedKeys = new Set<string>()
  const stsConfig = init.loaded.config.sts
  // One governor for every STS call this instance makes: vends, hub hops, signed logins and
  // provider refreshes of a `chain` source.
  const { shared } = init
  // With a shared store the window is shared; while it is down each instance takes its share.
  const localRate = shared ? Math.max(1, Math.floor(stsConfig.maxCallsPerSecond / (init.loaded.redis?.maxInstances ?? 1))) : stsConfig.maxCallsPerSecond
  const localGovernor = createGovernor({ ratePerSecond: localRate, now: deps.now, sleep: deps.sleep })
  const governor = shared
    ? createSharedGovernor({ shared, ratePerSecond: stsConfig.maxCallsPerSecond, local: localGovernor, now: deps.now, sleep: deps.sleep, elapsedMs })
    : localGovernor
  const gate = <T>(send: () => Promise<T>): Promise<T> => governor.run(deps.now().getTime() + current.loaded.config.upstream.deadlineMs, send)
  const observe = {
    elapsedMs,
    call: (action: string, outcome: string, seconds: number) => {
      metrics.stsCalls.inc({ action, outcome })
      metrics.stsSeconds.observe({ action }, seconds)
    },
  }
  const sts = createStsClient({ endpoint: stsConfig.endpoint, signature: stsConfig.signature, timeoutMs: stsConfig.timeoutMs, gate, observe }, deps)
  const source = 'chain' in init.source ? init.source.chain(sts) : init.source
  // Shared by every generation: a reload must not reopen the replay window of signed logins.
  const NONCE_WINDOW_MS = 2 * 900_000
  const localNonces = createNonceWindow(NONCE_WINDOW_MS)
  const nonces = shared ? sharedNonces(localNonces, shared, NONCE_WINDOW_MS) : localNonces
  const logins = { stsCalls: 0 }
  const onLoginCall = (outcome: string) => {
    logins.stsCalls++
    metrics.stsCalls.inc({ action: 'GetCallerIdentity', outcome })
  }
  const generation = (loaded: LoadedConfig) =>
    buildGeneration(loaded, deps, revokedKeys, nonces, onLoginCall, gate)
  let current = generation(init.loaded)

  const limitersFor = (limits: LoadedConfig['config']['limits']) => {
    const options = { maxKeys: limits.trackedKeys, now: deps.now }
    const limiter = (name: string, limit: RateLimit | null) => {
      const local = createRateLimiter(limit, options)
      return shared ? sharedRateLimiter(name, limit, shared, local) : local
    }
    return {
      config: JSON.stringify(limits),
      caller: limiter('caller', limits.perCaller),
      misses: limiter('misses', limits.perCallerMisses),
      address: limiter('address', limits.perSourceAddress),
    }
  }
  let limiters = limitersFor(init.loaded.config.limits)
  const limited = async (limiter: 'caller' | 'misses' | 'address', key: string, message: string) => {
    const wait = await limiters[limiter].take(key)
    if (wait === undefined) return
    metrics.rateLimited.inc({ limit: limiter === 'misses' ? 'caller-misses' : limiter === 'address' ? 'source-address' : 'caller' })
    throw new VendError('ERR_RATE_LIMITED', message, { retryAfterSeconds: wait })
  }

  const vends = createVendService({
    deps, sts, source, sharePending: init.sharePending,
    maxEntries: init.loaded.config.cache.maxEntries, upstream: init.loaded.config.upstream,
    admitMiss: (callerId) => limited('misses', callerId, 'too many new credentials for this caller; cached ones are still served'),
    ...(shared ? { shared: createSharedVends({ shared, now: deps.now, sleep: deps.sleep, deadlineMs: () => current.loaded.config.upstream.deadlineMs }) } : {}),
  })
  // The KMS client follows the generation (its endpoint is config); the cache outlives reloads.
  const accessKeys = createAccessKeyService({
    kms: { getSecretValue: (from, input) => current.kms!.getSecretValue(from, input) },
    source, now: deps.now, random: deps.random, sharePending: init.sharePending,
    circuit: { failures: init.loaded.config.upstream.circuitFailures, cooldownMs: init.loaded.config.upstream.circuitCooldownMs },
  })
  const metrics = createCredvendMetrics({
    cacheEntries: () => vends.stats().cacheEntries,
    tokenCacheEntries: () => current.tokenCache.size,
    circuitOpen: () => vends.stats().circuit === 'open',
    stsClockOffsetSeconds: () => sts.clockOffsetMs() / 1000,
    governor: () => governor.stats(),
    kmsCalls: () => accessKeys.stats().kmsCalls,
    kmsCircuitOpen: () => accessKeys.stats().circuit === 'open',
    ...(shared ? { redis: shared.stats } : {}),
  })
  const outcomes = new Map<string, number>()
  /** Bound series per (outcome, cache state): a handful, resolved once, so a hit formats no labels. */
  const vendSeries = new Map<string, { count: () => void; seconds: (s: number) => void }>()
  const counted = (outcome: string, cache: string, startedMs: number) => {
    outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1)
    const key = `${outcome} ${cache}`
    let series = vendSeries.get(key)
    if (!series) vendSeries.set(key, (series = { count: metrics.vends.series({ outcome, cache }), seconds: metrics.vendSeconds.series({ cache }) }))
    series.count()
    series.seconds((elapsedMs() - startedMs) / 1000)
  }
  /** access-key profiles exist only on the internal function; elsewhere they are as unknown as any other name. */
  const accessKeyProfiles = () => (current.loaded.config.exposeInternalRoutes && current.kms ? current.loaded.accessKeyProfiles : new Map())

  const vend = async (caller: Caller, profile: string, request: VendRequest, requestId: string, input?: ProviderInput): Promise<VendResult> => {
    const startedMs = elapsedMs()
    const { loaded } = current
    const base = { type: 'audit', requestId, callerId: caller.id, profile, generation: loaded.generation }
    try {
      await limited('caller', caller.id, 'too many requests from this caller')
      const result = await vends.vend(loaded, caller, profile, request, input)
      counted('ok', result.cache, startedMs)
      log({
        ...base, outcome: 'ok', roleArn: result.roleArn, sessionName: result.roleSessionName,
        policySha256: result.policySha256 ?? null, durationSeconds: result.durationSeconds, cache: result.cache,
        stsRequestId: result.stsRequestId ?? null,
      })
      return result
    } catch (error) {
      const code = isVendError(error) ? error.code : 'ERR_INTERNAL'
      counted(code, 'none', startedMs)
      const upstream = isVendError(error) ? error.upstream : undefined
      log({ ...base, outcome: code, upstreamCode: upstream?.code ?? null, stsRequestId: upstream?.requestId ?? null })
      throw error
    }
  }

  const audited = async <T>(base: Record<string, unknown>, callerId: string, work: () => Promise<T & { cache?: string }>): Promise<T> => {
    const startedMs = elapsedMs()
    try {
      await limited('caller', callerId, 'too many requests from this caller')
      const result = await work()
      counted('ok', result.cache ?? 'none', startedMs)
      log({ ...base, outcome: 'ok', cache: result.cache ?? null })
      return result
    } catch (error) {
      const code = isVendError(error) ? error.code : 'ERR_INTERNAL'
      counted(code, 'none', startedMs)
      log({ ...base, outcome: code, upstreamCode: isVendError(error) ? (error.upstream?.code ?? null) : null })
      throw error
    }
  }

  return {
    authenticate: (authorization: string | undefined) => current.authenticate(authorization),
    /** Whether `profile` names an access-key profile this deployment serves. */
    isAccessKeyProfile: (profile: string) => current.loaded.accessKeyProfiles.has(profile),
    vendAccessKey(caller: Caller, profile: string, requestId: string, input?: ProviderInput) {
      const { generation } = current.loaded
      return audited({ type: 'audit', requestId, callerId: caller.id, profile, generation, kind: 'access-key' }, caller.id, () =>
        accessKeys.vend(generation, accessKeyProfiles(), profile, caller, input))
    },
    reportInvalid(caller: Caller, profile: string, accessKeyId: string, requestId: string, input?: ProviderInput) {
      const { generation } = current.loaded
      return audited({ type: 'audit', requestId, callerId: caller.id, profile, generation, kind: 'access-key', event: 'report-invalid' }, caller.id, () =>
        accessKeys.report(generation, accessKeyProfiles(), profile, caller, accessKeyId, input))
    },
    /** `POST /v1/session/alibaba`; a deployment that has not enabled it answers 404. */
    async loginAlibaba(body: unknown, requestId: string) {
      const login = current.loginAlibaba
      if (!login) throw new VendError('ERR_NOT_FOUND', 'not found')
      try {
        const result = await login(body)
        log({ type: 'audit', requestId, event: 'alibaba-login', outcome: 'ok', callerId: `alibaba.${result.identity.account}.${result.identity.role}` })
        return result
      } catch (error) {
        log({ type: 'audit', requestId, event: 'alibaba-login', outcome: isVendError(error) ? error.code : 'ERR_INTERNAL' })
        throw error
      }
    },
    vend,
    /** The pre-authentication limit; runtimes that cannot tell the address pass undefined. */
    async limitSourceAddress(address: string | undefined): Promise<void> {
      if (address) await limited('address', addressKey(address), 'too many requests from this address')
    },
    /** Prometheus text for /metrics, and the error counter every route's answer feeds. */
    metrics: { render: metrics.render, error: (code: string) => metrics.errors.inc({ code }) },
    get generation() {
      return current.loaded.generation
    },
    get loaded() {
      return current.loaded
    },
    /** Swaps in a fully loaded generation and drops credentials granted under older rules. */
    reload(loaded: LoadedConfig): void {
      current = generation(loaded)
      if (JSON.stringify(loaded.config.limits) !== limiters.config) limiters = limitersFor(loaded.config.limits)
      const purged = vends.keepGeneration(loaded.generation)
      log({ type: 'config', event: 'reloaded', generation: loaded.generation, purgedEntries: purged })
    },
    disableProfile(name: string): void {
      const purged = vends.disableProfile(name)
      log({ type: 'ops', event: 'profile-disabled', profile: name, purgedEntries: purged })
    },
    revokeApiKey(id: string): void {
      revokedKeys.add(id)
      const purged = vends.purgeCaller(`key.${id}`)
      log({ type: 'ops', event: 'api-key-revoked', keyId: id, purgedEntries: purged })
    },
    stats: () => ({ ...vends.stats(), governor: governor.stats(), kmsCalls: accessKeys.stats().kmsCalls, reportRefreshes: accessKeys.stats().reportRefreshes, loginStsCalls: logins.stsCalls, outcomes: Object.fromEntries(outcomes), tokenCacheEntries: current.tokenCache.size }),
    /** Which source credvend's identity comes from, or why there is none (never a secret). */
    async readiness(input?: ProviderInput): Promise<{ ready: true; source: string } | { ready: false; reason: string }> {
      try {
        return { ready: true, source: (await source(input)).source }
      } catch (error) {
        return { ready: false, reason: isVendError(error) ? error.message : 'source credentials unavailable' }
      }
    },
  }
}

/** @public */
export type Credvend = ReturnType<typeof createCredvend>
