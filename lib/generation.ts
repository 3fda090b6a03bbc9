import { createAuthenticator, type Authenticate } from './auth/authenticator.ts'
import { issuerVerifier } from './auth/jwt.ts'
import { createTokenCache, TOKEN_CACHE_MAX_BYTES, type TokenCache } from './auth/token-cache.ts'
import type { LoadedConfig } from './config/load.ts'
import { usedClaims } from './config/used-claims.ts'
import { isVendedRole } from './config/vended-roles.ts'
import { createKmsClient, type KmsClient } from './kms/client.ts'
import type { CoreDeps } from './runtime/deps.ts'
import type { AlibabaLogin } from './session/alibaba-login.ts'
import type { NonceClaims } from './session/nonce-window.ts'
import { alibabaCaller } from './session/session-token.ts'
import { isAllowed } from './vend/allowed.ts'

/** Everything that follows one loaded configuration; a reload builds a new one. @internal */
export interface Generation {
  readonly loaded: LoadedConfig
  readonly tokenCache: TokenCache
  readonly authenticate: Authenticate
  /** Absent unless signed Alibaba logins are enabled. */
  readonly loginAlibaba: AlibabaLogin | undefined
  /** Absent when the configuration names no KMS endpoint. */
  readonly kms: KmsClient | undefined
}

/**
 * Builds a generation completely, so a reload can swap it in with one assignment. The state
 * that must outlive reloads (revoked keys, login nonces, the STS budget) is handed in.
 * @internal
 */
export const buildGeneration = (
  loaded: LoadedConfig,
  shared: {
    readonly deps: CoreDeps
    readonly revokedKeys: ReadonlySet<string>
    readonly nonces: NonceClaims
    readonly onLoginStsCall: (outcome: string) => void
    readonly gate: <T>(send: () => Promise<T>, lane?: string) => Promise<T>
  },
): Generation => {
  const { deps } = shared
  const { config } = loaded
  // At least as many verified tokens as cached sessions: a smaller LRU, scanned in order,
  // forgets every one. The byte budget grows with it, so ordinary tokens still fit that many;
  // an operator who sized the session cache up has sized memory up too.
  const tokenEntries = Math.max(10_000, config.cache.maxEntries)
  const tokenCache = createTokenCache(
    tokenEntries,
    Math.ceil((TOKEN_CACHE_MAX_BYTES * tokenEntries) / 10_000),
  )
  const issuers = config.callers.jwt.map((issuer) =>
    issuerVerifier(issuer, deps, (issuerId, kids) => tokenCache.keySetChanged(issuerId, kids)),
  )
  const authenticate = createAuthenticator({
    issuers,
    apiKeys: loaded.apiKeys,
    revokedKeys: shared.revokedKeys,
    tokenCache,
    keptClaims: usedClaims(config),
    now: deps.now,
    sessionTokenKey: loaded.sessionTokenKey,
    digests: deps.digests,
  })
  const login = config.callers.alibaba
  const sessionTokenKey = loaded.sessionTokenKey
  // Off by default and rare when on: on Function Compute it is a file of its own, loaded by the
  // first signed login.
  const makeLogin = (settings: NonNullable<typeof login>, key: string) =>
    import('./session/alibaba-login.ts').then(({ createAlibabaLogin }) =>
      createAlibabaLogin({
        stsEndpoint: config.sts.endpoint,
        timeoutMs: config.sts.timeoutMs,
        fetch: deps.fetch,
        now: deps.now,
        accounts: new Set(settings.accounts),
        windowSeconds: settings.windowSeconds,
        sessionMinutes: settings.sessionMinutes,
        sessionTokenKey: key,
        nonces: shared.nonces,
        onStsCall: shared.onLoginStsCall,
        gate: shared.gate,
        // A session of a role credvend vends is its own narrowed output: it never logs in, or
        // it would shed its session policy (role laundering).
        allowed: (identity) =>
          !isVendedRole(loaded.vendedRoles, identity) &&
          [...loaded.profiles.values()].some(
            (p) => !p.profile.disabled && isAllowed(alibabaCaller(identity), p.profile.allow),
          ),
      }),
    )
  let made: Promise<AlibabaLogin> | undefined
  const loginAlibaba: AlibabaLogin | undefined =
    login?.enabled && sessionTokenKey
      ? async (body) =>
          (
            await (made ??= makeLogin(login, sessionTokenKey).catch((error: unknown) => {
              // A file that failed to load is tried again by the next login.
              made = undefined
              throw error
            }))
          )(body)
      : undefined
  const kms = config.kms
    ? createKmsClient({ endpoint: config.kms.endpoint, timeoutMs: config.kms.timeoutMs }, deps)
    : undefined
  return { loaded, tokenCache, authenticate, loginAlibaba, kms }
}
