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
import { createNonceWindow } from './session/nonce-window.ts'

type NonceWindow = ReturnType<typeof createNonceWindow>
import type { LogSink } from './log.ts'
import { createStsClient } from './sts/client.ts'
import { governedStsClient } from './sts/governed-client.ts'
import { createGovernor } from './upstream/governor.ts'
import { createVendService, type VendRequest, type VendResult } from './vend/vend-service.ts'
import type { VendDeps } from './vend/vend-deps.ts'

/** @public */
export interface CredvendInit {
  readonly loaded: LoadedConfig
  readonly deps: VendDeps
  readonly source: CredentialProvider
  readonly log: LogSink
  /** False on Workers, which may not await another request's promise. */
  readonly sharePending: boolean
}

const buildGeneration = (loaded: LoadedConfig, deps: VendDeps, revokedKeys: ReadonlySet<string>, nonces: NonceWindow, onStsCall: () => void, slot: () => Promise<void>) => {
  const tokenCache = createTokenCache()
  const issuers = loaded.config.callers.jwt.map((config) =>
    issuerVerifier(config, deps, (issuerId, kids) => tokenCache.keySetChanged(issuerId, kids)),
  )
  const authenticate: Authenticate = createAuthenticator({ issuers, apiKeys: loaded.apiKeys, revokedKeys, tokenCache, now: deps.now, sessionTokenKey: loaded.sessionTokenKey })
  const login = loaded.config.callers.alibaba
  const loginAlibaba = login?.enabled && loaded.sessionTokenKey
    ? createAlibabaLogin({
        stsEndpoint: loaded.config.sts.endpoint, timeoutMs: loaded.config.sts.timeoutMs, fetch: deps.fetch, now: deps.now,
        accounts: new Set(login.accounts), windowSeconds: login.windowSeconds, sessionMinutes: login.sessionMinutes,
        sessionTokenKey: loaded.sessionTokenKey, nonces, onStsCall, slot,
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
  const revokedKeys = new Set<string>()
  const stsConfig = init.loaded.config.sts
  // One governor for every STS call this instance makes: vends, hub hops and signed logins.
  const governor = createGovernor({ ratePerSecond: stsConfig.maxCallsPerSecond, now: deps.now, sleep: deps.sleep })
  const sts = governedStsClient(
    createStsClient({ endpoint: stsConfig.endpoint, signature: stsConfig.signature, timeoutMs: stsConfig.timeoutMs }, deps),
    governor, deps.now, init.loaded.config.upstream.deadlineMs,
  )
  // Shared by every generation: a reload must not reopen the replay window of signed logins.
  const nonces = createNonceWindow(2 * 900_000)
  const logins = { stsCalls: 0 }
  const generation = (loaded: LoadedConfig) =>
    buildGeneration(loaded, deps, revokedKeys, nonces, () => void logins.stsCalls++, () => governor.acquire(deps.now().getTime() + loaded.config.upstream.deadlineMs))
  let current = generation(init.loaded)
  const vends = createVendService({
    deps, sts, source: init.source, sharePending: init.sharePending,
    maxEntries: init.loaded.config.cache.maxEntries, upstream: init.loaded.config.upstream,
  })
  const outcomes = new Map<string, number>()
  // The KMS client follows the generation (its endpoint is config); the cache outlives reloads.
  const accessKeys = createAccessKeyService({
    kms: { getSecretValue: (source, input) => current.kms!.getSecretValue(source, input) },
    source: init.source, now: deps.now, random: deps.random, sharePending: init.sharePending,
  })
  /** access-key profiles exist only on the internal function; elsewhere they are as unknown as any other name. */
  const accessKeyProfiles = () => (current.loaded.config.exposeInternalRoutes && current.kms ? current.loaded.accessKeyProfiles : new Map())

  const vend = async (caller: Caller, profile: string, request: VendRequest, requestId: string, input?: ProviderInput): Promise<VendResult> => {
    const { loaded } = current
    const base = { type: 'audit', requestId, callerId: caller.id, profile, generation: loaded.generation }
    try {
      const result = await vends.vend(loaded, caller, profile, request, input)
      outcomes.set('ok', (outcomes.get('ok') ?? 0) + 1)
      log({
        ...base, outcome: 'ok', roleArn: result.roleArn, sessionName: result.roleSessionName,
        policySha256: result.policySha256 ?? null, durationSeconds: result.durationSeconds, cache: result.cache,
        stsRequestId: result.stsRequestId ?? null,
      })
      return result
    } catch (error) {
      const code = isVendError(error) ? error.code : 'ERR_INTERNAL'
      outcomes.set(code, (outcomes.get(code) ?? 0) + 1)
      const upstream = isVendError(error) ? error.upstream : undefined
      log({ ...base, outcome: code, upstreamCode: upstream?.code ?? null, stsRequestId: upstream?.requestId ?? null })
      throw error
    }
  }

  const audited = async <T>(base: Record<string, unknown>, work: () => Promise<T & { cache?: string }>): Promise<T> => {
    try {
      const result = await work()
      outcomes.set('ok', (outcomes.get('ok') ?? 0) + 1)
      log({ ...base, outcome: 'ok', cache: result.cache ?? null })
      return result
    } catch (error) {
      const code = isVendError(error) ? error.code : 'ERR_INTERNAL'
      outcomes.set(code, (outcomes.get(code) ?? 0) + 1)
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
      return audited({ type: 'audit', requestId, callerId: caller.id, profile, generation, kind: 'access-key' }, () =>
        accessKeys.vend(generation, accessKeyProfiles(), profile, caller, input))
    },
    reportInvalid(caller: Caller, profile: string, accessKeyId: string, requestId: string, input?: ProviderInput) {
      const { generation } = current.loaded
      return audited({ type: 'audit', requestId, callerId: caller.id, profile, generation, kind: 'access-key', event: 'report-invalid' }, () =>
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
    get generation() {
      return current.loaded.generation
    },
    get loaded() {
      return current.loaded
    },
    /** Swaps in a fully loaded generation and drops credentials granted under older rules. */
    reload(loaded: LoadedConfig): void {
      current = generation(loaded)
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
        return { ready: true, source: (await init.source(input)).source }
      } catch (error) {
        return { ready: false, reason: isVendError(error) ? error.message : 'source credentials unavailable' }
      }
    },
  }
}

/** @public */
export type Credvend = ReturnType<typeof createCredvend>
