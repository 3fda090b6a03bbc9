import { utf8 } from '../../crypto/encoding.ts'
import { ROLE_ARN, ROLE_SESSION_NAME, SOURCE_IDENTITY } from '../../sts/schemas.ts'
import { parsePolicyDocument, type PolicyDocument } from '../policy/document.ts'
import type { RoleRecord, World } from '../world.ts'
import { fail } from './sts-errors.ts'

/** The parameters AssumeRole and AssumeRoleWithOIDC share, validated as STS does. @internal */
export interface SessionParams {
  readonly role: RoleRecord
  readonly sessionName: string
  readonly durationSeconds: number
  readonly sessionPolicy: PolicyDocument | undefined
  readonly sourceIdentity: string | undefined
}

/** STS: "The size of Policy must be smaller than 2048 bytes." */
const MAX_POLICY_BYTES = 2047
/** Role chaining (an STS session assuming a role) is capped at one hour (assumed). */
const CHAINED_MAX_SECONDS = 3600

/** @internal */
export const readSessionParams = (
  params: Readonly<Record<string, string>>,
  world: World,
  options: { chained: boolean },
): SessionParams => {
  const arn = params.RoleArn ?? fail('MissingParameter', ' RoleArn')
  const arnParts = ROLE_ARN.exec(arn) ?? fail('InvalidParameter.RoleArn')
  const sessionName = params.RoleSessionName ?? fail('MissingParameter', ' RoleSessionName')
  if (!ROLE_SESSION_NAME.test(sessionName)) fail('InvalidParameter.RoleSessionName')
  const sourceIdentity = params.SourceIdentity
  if (sourceIdentity !== undefined && !SOURCE_IDENTITY.test(sourceIdentity))
    fail('InvalidParameter.SourceIdentity')

  let sessionPolicy: PolicyDocument | undefined
  if (params.Policy !== undefined) {
    if (params.Policy === '' || utf8(params.Policy).length > MAX_POLICY_BYTES)
      fail('InvalidParameter.PolicySize')
    const parsed = parsePolicyDocument(params.Policy, 'identity')
    if (!parsed.ok) return fail('InvalidParameter.PolicyGrammar')
    sessionPolicy = parsed.policy
  }

  const role = world.findRole(arnParts[1]!, arnParts[2]!) ?? fail('EntityNotExist.Role')
  const durationText = params.DurationSeconds ?? '3600'
  const durationSeconds = /^\d{1,6}$/.test(durationText) ? Number(durationText) : Number.NaN
  const max = options.chained
    ? Math.min(role.maxSessionDuration, CHAINED_MAX_SECONDS)
    : role.maxSessionDuration
  if (!(durationSeconds >= 900 && durationSeconds <= max)) fail('InvalidParameter.DurationSeconds')

  return { role, sessionName, durationSeconds, sessionPolicy, sourceIdentity }
}
