import {
  createLocalJWKSet,
  createRemoteJWKSet,
  customFetch,
  decodeJwt,
  decodeProtectedHeader,
  jwtVerify,
  type JWTPayload,
  type JWTVerifyGetKey,
} from 'jose'
import type { JwtIssuerConfig } from '../config/schema.ts'
import type { CoreDeps } from '../runtime/deps.ts'
import { jwtCallerId, type Caller } from './caller.ts'
import { authError, fromJoseError } from './jwt-errors.ts'

/** Headers that point at keys elsewhere: never honoured, so a token carrying one is refused. */
const FOREIGN_KEY_HEADERS = ['jku', 'x5u', 'jwk', 'x5c'] as const

/** How often an unknown kid may trigger a JWKS refetch, and how long a key set is trusted. @internal */
const JWKS_COOLDOWN_MS = 30_000
export const JWKS_MAX_AGE_MS = 10 * 60_000

/** A configured issuer, ready to verify: its pinned settings and its key resolver. @internal */
export interface IssuerVerifier {
  readonly config: JwtIssuerConfig
  readonly keys: JWTVerifyGetKey
}

/**
 * Builds the key resolver for an issuer: inline keys, or a remote JWKS fetched through the
 * injected fetch, cached, and refetched on an unknown kid at most once per cooldown — so a
 * flood of made-up kids cannot cause a fetch storm. `onKeySet` sees every fetched set's kids.
 * @internal
 */
export const issuerVerifier = (
  config: JwtIssuerConfig,
  deps: Pick<CoreDeps, 'fetch'>,
  onKeySet: (issuerId: string, kids: ReadonlySet<string>) => void = () => {},
): IssuerVerifier => {
  if (config.jwks)
    return {
      config,
      keys: createLocalJWKSet(config.jwks as Parameters<typeof createLocalJWKSet>[0]),
    }
  const observingFetch = async (url: string, options: RequestInit) => {
    const response = await deps.fetch(url, { ...options, redirect: 'manual' })
    // jose reports a non-200 as a generic JOSEError, indistinguishable from a malformed token:
    // the issuer is what is broken, and the caller should hear 503, not that its token is bad.
    if (response.status !== 200) throw authError('ERR_AUTH_JWKS_UNAVAILABLE')
    const body = (await response
      .clone()
      .json()
      .catch(() => undefined)) as { keys?: Array<{ kid?: unknown }> } | undefined
    onKeySet(config.id, new Set((body?.keys ?? []).map((k) => String(k.kid))))
    return response
  }
  const keys = createRemoteJWKSet(new URL(config.jwksUri!), {
    cooldownDuration: JWKS_COOLDOWN_MS,
    cacheMaxAge: JWKS_MAX_AGE_MS,
    timeoutDuration: 5_000,
    [customFetch]: observingFetch,
  })
  return { config, keys }
}

/** What a verified token yields: the caller, and what its cache entry depends on. @internal */
export interface VerifiedToken {
  readonly caller: Caller
  readonly expiresAtMs: number
  readonly issuerId: string
  readonly kid: string | undefined
}

const checkHeader = (token: string, allowed: readonly string[]) => {
  let header: ReturnType<typeof decodeProtectedHeader>
  try {
    header = decodeProtectedHeader(token)
  } catch {
    throw authError('ERR_AUTH_MALFORMED')
  }
  if (FOREIGN_KEY_HEADERS.some((h) => h in header)) throw authError('ERR_AUTH_HEADER')
  if (typeof header.alg !== 'string' || !allowed.includes(header.alg))
    throw authError('ERR_AUTH_ALG')
  return header
}

/**
 * Verifies a caller JWT against the issuers configured with the token's `iss`. The token only
 * selects among pinned configurations; keys, issuer, audience, algorithms and `typ` all come
 * from configuration, never from the token: keys fetched from a token's own `iss` would let any
 * self-minted token in.
 * @internal
 */
/** The audience of RRSA tokens meant for AssumeRoleWithOIDC. @internal */
const STS_AUDIENCE = 'sts.aliyuncs.com'

/** Login tokens must name their type (`JWT` unless configured); workload tokens only if set. */
const typOf = (config: JwtIssuerConfig): { typ?: string } => {
  const typ = config.type ?? (config.kind === 'login' ? 'JWT' : undefined)
  return typ === undefined ? {} : { typ }
}

/**
 * A token issued in the future (beyond the clock tolerance) was not minted by a sane issuer, and
 * one issued for longer than the issuer's configured maximum outlives what the operator allows.
 */
const checkTimes = (payload: JWTPayload, config: JwtIssuerConfig, now: Date) => {
  const nowSeconds = Math.floor(now.getTime() / 1000)
  if (typeof payload.iat === 'number' && payload.iat > nowSeconds + config.clockToleranceSeconds)
    throw authError('ERR_AUTH_CLAIMS')
  const max = config.maxTokenLifetimeSeconds
  if (max !== undefined && (payload.exp ?? 0) - (payload.iat ?? 0) > max)
    throw authError('ERR_AUTH_CLAIMS')
}

/**
 * Bounds on a kept claim. Rules compare strings and templates substitute strings (at most 128
 * characters), so anything longer is useless to them; 256 array items still hold a large IdP's
 * group list (Entra ID sends at most 200 before switching to an overage claim).
 */
const CLAIM_STRING_MAX_CHARS = 1024
const CLAIM_ARRAY_MAX_ITEMS = 256
const CLAIM_ITEM_MAX_CHARS = 256

const withinBounds = (value: unknown): value is string | readonly string[] =>
  typeof value === 'string'
    ? value.length <= CLAIM_STRING_MAX_CHARS
    : Array.isArray(value) &&
      value.length <= CLAIM_ARRAY_MAX_ITEMS &&
      value.every((item) => typeof item === 'string' && item.length <= CLAIM_ITEM_MAX_CHARS)

/**
 * The claims the configuration reads, and nothing else: a cached caller then costs what its
 * rules need, not what its token carried. A claim out of bounds is dropped whole, never cut:
 * two long values cut to one length could compare equal. Dropping only ever denies, since rules
 * and templates need a claim to be present.
 */
const keptClaims = (payload: JWTPayload, keep: ReadonlySet<string>) =>
  Object.fromEntries(
    [...keep].flatMap((name) =>
      Object.hasOwn(payload, name) && withinBounds(payload[name]) ? [[name, payload[name]]] : [],
    ),
  )

export const verifyJwt = async (
  token: string,
  issuers: readonly IssuerVerifier[],
  now: Date,
  keep: ReadonlySet<string>,
): Promise<VerifiedToken> => {
  let claimedIssuer: unknown
  try {
    claimedIssuer = decodeJwt(token).iss
  } catch {
    throw authError('ERR_AUTH_MALFORMED')
  }
  const candidates = issuers.filter((i) => i.config.issuer === claimedIssuer)
  if (candidates.length === 0) throw authError('ERR_AUTH_ISSUER')
  let failure: unknown
  for (const { config, keys } of candidates) {
    const header = checkHeader(token, config.algorithms)
    try {
      const { payload } = await jwtVerify(token, keys, {
        issuer: config.issuer,
        audience: config.audience,
        algorithms: config.algorithms,
        ...typOf(config),
        clockTolerance: config.clockToleranceSeconds,
        currentDate: now,
        requiredClaims: config.maxTokenLifetimeSeconds ? ['exp', 'sub', 'iat'] : ['exp', 'sub'],
      })
      if (typeof payload.sub !== 'string' || payload.sub === '') throw authError('ERR_AUTH_CLAIMS')
      checkTimes(payload, config, now)
      // A token also meant for STS (the RRSA token, audience sts.aliyuncs.com) is a credential for
      // the platform, not for us: whoever holds it could exchange it directly.
      if ((Array.isArray(payload.aud) ? payload.aud : [payload.aud]).includes(STS_AUDIENCE))
        throw authError('ERR_AUTH_AUDIENCE')
      const caller: Caller = {
        id: await jwtCallerId(config.id, payload.sub),
        kind: 'jwt',
        authority: config.id,
        sub: payload.sub,
        claims: keptClaims(payload, keep),
      }
      return { caller, expiresAtMs: payload.exp! * 1000, issuerId: config.id, kid: header.kid }
    } catch (error) {
      failure = error
    }
  }
  throw fromJoseError(failure)
}
