import { createLocalJWKSet, jwtVerify } from 'jose'
import { conditionContext, evaluatePolicies } from '../policy/evaluate.ts'
import { formatTimestamp } from '../../signing/timestamp.ts'
import type { World } from '../world.ts'
import { credentialsReply } from './credentials-reply.ts'
import { readSessionParams } from './session-params.ts'
import { fail } from './sts-errors.ts'

const audiences = (aud: unknown): string[] =>
  typeof aud === 'string'
    ? [aud]
    : Array.isArray(aud)
      ? aud.filter((a) => typeof a === 'string')
      : []

/**
 * AssumeRoleWithOIDC: anonymous; the OIDC token is verified against the provider's registered
 * issuer, client ids and keys, then the role's trust policy must allow the provider as a
 * `Federated` principal with the token's `oidc:*` claims as condition values.
 * @internal
 */
export const assumeRoleWithOidc = async (
  world: World,
  params: Readonly<Record<string, string>>,
  requestId: string,
  now: Date,
) => {
  const providerArn = params.OIDCProviderArn ?? fail('MissingParameter', ' OIDCProviderArn')
  const token = params.OIDCToken ?? fail('MissingParameter', ' OIDCToken')
  if (token.length < 4 || token.length > 20_000) fail('InvalidParameter.OIDCToken')
  const provider = world.findOidcProvider(providerArn) ?? fail('EntityNotExist.OIDCProvider')
  const p = readSessionParams(params, world, { chained: false })
  let claims: { iss?: string; sub?: string; aud?: unknown; iat?: number; exp?: number }
  try {
    const verified = await jwtVerify(token, createLocalJWKSet(provider.jwks), {
      issuer: provider.issuer,
      audience: [...provider.clientIds],
      currentDate: now,
      algorithms: ['RS256', 'RS384', 'RS512', 'ES256', 'ES384', 'ES512', 'PS256'],
    })
    claims = verified.payload
  } catch {
    return fail('AuthenticationFail.OIDCToken')
  }
  const trusted = evaluatePolicies([p.role.trustPolicy], {
    action: 'sts:AssumeRole',
    principal: { Federated: [provider.arn] },
    context: conditionContext({
      'oidc:iss': claims.iss,
      'oidc:aud': audiences(claims.aud),
      'oidc:sub': claims.sub,
    }),
  })
  if (trusted !== 'Allow') fail('NoPermission')
  const session = world.issueSession(p.role, {
    sessionName: p.sessionName,
    durationSeconds: p.durationSeconds,
    ...(p.sessionPolicy ? { sessionPolicy: p.sessionPolicy } : {}),
  })
  return {
    ...credentialsReply(requestId, session),
    OIDCTokenInfo: {
      Issuer: claims.iss,
      Subject: claims.sub,
      ClientIds: audiences(claims.aud).join(','),
      IssuanceTime:
        claims.iat === undefined ? undefined : formatTimestamp(new Date(claims.iat * 1000)),
      ExpirationTime:
        claims.exp === undefined ? undefined : formatTimestamp(new Date(claims.exp * 1000)),
    },
  }
}
