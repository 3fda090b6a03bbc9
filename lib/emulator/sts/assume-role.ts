import { EXTERNAL_ID_KEY } from '../policy/conditions.ts'
import { conditionContext, evaluatePolicies } from '../policy/evaluate.ts'
import { EXTERNAL_ID } from '../../sts/schemas.ts'
import type { Principal, World } from '../world.ts'
import { credentialsReply } from './credentials-reply.ts'
import { readSessionParams } from './session-params.ts'
import { fail } from './sts-errors.ts'

/** Every identifier a caller matches in a trust policy's `RAM` principal list. */
const ramIdentifiers = (caller: Principal): string[] => [
  `acs:ram::${caller.accountId}:root`,
  caller.kind === 'user'
    ? `acs:ram::${caller.accountId}:user/${caller.userName}`
    : `acs:ram::${caller.accountId}:role/${caller.role.roleName.toLowerCase()}`,
]

/** The caller's own permission: its policies, narrowed by its session policy if it has one. */
const callerMayAssume = (caller: Principal, roleArn: string): boolean => {
  const request = { action: 'sts:AssumeRole', resource: roleArn }
  if (caller.kind === 'user') return evaluatePolicies(caller.policies, request) === 'Allow'
  const byRole = evaluatePolicies(caller.role.policies, request) === 'Allow'
  const bySession =
    !caller.sessionPolicy || evaluatePolicies([caller.sessionPolicy], request) === 'Allow'
  return byRole && bySession
}

/**
 * AssumeRole: validate parameters, check the caller's permission and the role's trust policy
 * (ExternalId included), then mint a session.
 * @internal
 */
export const assumeRole = (
  world: World,
  caller: Principal,
  params: Readonly<Record<string, string>>,
  requestId: string,
  secureTransport: boolean,
) => {
  const externalId = params.ExternalId
  if (externalId !== undefined && !EXTERNAL_ID.test(externalId)) fail('InvalidParameter.ExternalId')
  const p = readSessionParams(params, world, { chained: caller.kind === 'session' })
  if (!callerMayAssume(caller, p.role.arn)) fail('NoPermission')
  const trusted = evaluatePolicies([p.role.trustPolicy], {
    action: 'sts:AssumeRole',
    principal: { RAM: ramIdentifiers(caller) },
    context: conditionContext({
      [EXTERNAL_ID_KEY]: externalId,
      'sts:RoleSessionName': p.sessionName,
      'sts:SourceIdentity': p.sourceIdentity,
      'acs:SecureTransport': String(secureTransport),
      'acs:PrincipalARN': ramIdentifiers(caller)[1],
    }),
  })
  if (trusted !== 'Allow') fail('NoPermission')
  const session = world.issueSession(p.role, {
    sessionName: p.sessionName,
    durationSeconds: p.durationSeconds,
    ...(p.sessionPolicy
      ? { sessionPolicy: p.sessionPolicy, sessionPolicyText: params.Policy! }
      : {}),
    ...(p.sourceIdentity ? { sourceIdentity: p.sourceIdentity } : {}),
  })
  return credentialsReply(requestId, session)
}
