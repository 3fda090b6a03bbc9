import { createLocalJWKSet, exportJWK, generateKeyPair, SignJWT } from 'jose'
import { createApiKey } from '../auth/api-key.ts'
import { createAuthenticator } from '../auth/authenticator.ts'
import type { Caller } from '../auth/caller.ts'
import type { IssuerVerifier } from '../auth/jwt.ts'
import { createTokenCache } from '../auth/token-cache.ts'
import type { LoadedConfig } from '../config/load.ts'
import { usedClaims } from '../config/used-claims.ts'

/** Who to simulate: a JWT (login or workload) by its claims, or a partner API key by its id. @public */
export type SimulatedCredential =
  | { readonly kind: 'jwt'; readonly claims: Readonly<Record<string, unknown>> }
  | { readonly kind: 'apiKey'; readonly id: string }

/**
 * The longest a simulated token lives when its claims name no `exp`: the smallest
 * `maxTokenLifetimeSeconds` a config may set, so the filled-in lifetime never trips that check.
 */
const FILLED_LIFETIME_SECONDS = 60

const randomBytes = (n: number) => crypto.getRandomValues(new Uint8Array(n))

/**
 * Mints the credential the caller would send and hands it to the server's own authenticator, with
 * each configured issuer's keys (and the named API key's digests) swapped for a throwaway key only
 * this call holds. Everything else is the server's: the issuer chosen by `iss`, audience, `typ`,
 * algorithms, token times, the kept claims, `caller.id`, and an API key's expiry and `disabled`.
 * Throws the server's authentication error when it would refuse the caller.
 *
 * `exp`, `iat` and `aud` are filled in when the claims leave them out, as any token carries them:
 * `aud` with the first configured audience of the first issuer named by `iss`.
 * @public
 */
export const simulateCaller = async (
  loaded: LoadedConfig,
  credential: SimulatedCredential,
  now: Date,
): Promise<Caller> => {
  const { config } = loaded
  const authenticatorFor = (
    issuers: readonly IssuerVerifier[],
    apiKeys: LoadedConfig['apiKeys'] = loaded.apiKeys,
  ) =>
    createAuthenticator({
      issuers,
      apiKeys,
      revokedKeys: new Set(),
      tokenCache: createTokenCache(1),
      keptClaims: usedClaims(config),
      now: () => now,
    })

  if (credential.kind === 'apiKey') {
    const minted = await createApiKey(credential.id, randomBytes)
    const apiKeys = new Map(loaded.apiKeys)
    const record = apiKeys.get(credential.id)
    if (record) apiKeys.set(credential.id, { ...record, digests: [minted.sha256] })
    return authenticatorFor([], apiKeys)(`Bearer ${minted.key}`)
  }

  // The signing choices are the caller's, so they follow the issuer its `iss` names first: the
  // server checks the header against that issuer before it tries any other.
  const named = config.callers.jwt.find((issuer) => issuer.issuer === credential.claims.iss)
  const alg = named?.algorithms[0] ?? 'ES256'
  const { privateKey, publicKey } = await generateKeyPair(alg)
  const keys = createLocalJWKSet({ keys: [await exportJWK(publicKey)] })
  const nowSeconds = Math.floor(now.getTime() / 1000)
  const token = await new SignJWT({
    ...(named && { aud: [named.audience].flat()[0] }),
    iat: nowSeconds,
    exp: nowSeconds + FILLED_LIFETIME_SECONDS,
    ...credential.claims,
  })
    .setProtectedHeader({ alg, typ: named?.type ?? 'JWT' })
    .sign(privateKey)
  return authenticatorFor(config.callers.jwt.map((issuer) => ({ config: issuer, keys })))(
    `Bearer ${token}`,
  )
}
