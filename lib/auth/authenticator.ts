import type { NativeDigests } from '../crypto/digests.ts'
import { sha256Hex } from '../crypto/hmac.ts'
import { API_KEY_PREFIX, verifyApiKey, type ApiKeyRecord } from './api-key.ts'
import type { Caller } from './caller.ts'
import { verifyJwt, type IssuerVerifier } from './jwt.ts'
import { authError } from './jwt-errors.ts'
import type { TokenCache } from './token-cache.ts'
import { SESSION_TOKEN_PREFIX, verifySessionToken } from '../session/session-token.ts'

/**
 * The longest bearer JWT accepted (a JWT is ASCII: characters are bytes). Real IdP tokens, group
 * claims included, stay well under it (Entra ID replaces more than 200 groups with an overage
 * claim, so about 10 KB at most), while hashing and decoding one this size stays cheap enough
 * that a flood of them costs little more than a flood of small ones.
 * @internal
 */
export const MAX_JWT_BYTES = 16_384

/** Everything authentication needs, compiled from one config generation. @internal */
export interface AuthenticatorInit {
  readonly issuers: readonly IssuerVerifier[]
  readonly apiKeys: ReadonlyMap<string, ApiKeyRecord>
  readonly revokedKeys: ReadonlySet<string>
  readonly tokenCache: TokenCache
  /** The claim names the configuration reads (`usedClaims`): a verified caller keeps only these. */
  readonly keptClaims: ReadonlySet<string>
  readonly now: () => Date
  /** Set when signed Alibaba logins are enabled: verifies the `cvs_` session tokens they yield. */
  readonly sessionTokenKey?: string | undefined
  /** The runtime's synchronous SHA-256 for token-cache keys; Web Crypto's is awaited without it. */
  readonly digests?: NativeDigests | undefined
}

/**
 * Turns an `Authorization` header into a Caller. `Bearer cvk_…` is an API key, `Bearer cvs_…` a
 * credvend session token from a signed Alibaba login; any other bearer token is a JWT, refused
 * unread above `MAX_JWT_BYTES`. Verified JWTs are remembered by hash, so a token seen before
 * costs one SHA-256.
 * @internal
 */
export const createAuthenticator = (init: AuthenticatorInit) =>
  async function authenticateCaller(authorization: string | undefined): Promise<Caller> {
    // RFC 6750 §2.1: the scheme name is case-insensitive.
    const match = /^Bearer +(\S+)$/i.exec(authorization ?? '')
    if (!match) throw authError(authorization ? 'ERR_AUTH_MALFORMED' : 'ERR_AUTH_MISSING')
    const token = match[1]!
    const now = init.now()
    if (token.startsWith(API_KEY_PREFIX))
      return verifyApiKey(token, init.apiKeys, init.revokedKeys, now)
    if (token.startsWith(SESSION_TOKEN_PREFIX))
      return verifySessionToken(init.sessionTokenKey, token, now)
    // Before hashing or decoding, so their cost stays bounded whatever a caller sends.
    if (token.length > MAX_JWT_BYTES) throw authError('ERR_AUTH_MALFORMED')
    const tokenHash = init.digests ? init.digests.sha256Hex(token) : await sha256Hex(token)
    const cached = init.tokenCache.get(tokenHash, now.getTime())
    if (cached) return cached.caller
    const verified = await verifyJwt(token, init.issuers, now, init.keptClaims)
    init.tokenCache.set(tokenHash, verified, now.getTime())
    return verified.caller
  }

/** @internal */
export type Authenticate = ReturnType<typeof createAuthenticator>
