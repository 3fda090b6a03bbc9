import type { Credentials } from '../../../../lib/credentials/types.ts'
import { createKmsClient } from '../../../../lib/kms/client.ts'
import { callOpenApi } from '../../../../lib/openapi/call.ts'
import { buildSignedRequest, type SignatureScheme } from '../../../../lib/openapi/signed-request.ts'
import { STS_VERSION } from '../../../../lib/sts/client.ts'
import { stsErrors } from '../../../../lib/sts/errors.ts'
import { assumeRoleReply, callerIdentityReply } from '../../../../lib/sts/schemas.ts'
import { answerOf } from './answer-of.ts'
import type { LiveContext } from './live-case.ts'

const TIMEOUT_MS = 10_000
/** Names every session this tool opens, so they stand out in the account's ActionTrail. */
const LIVE_SESSION_NAME = 'credvend-live-check'

type StsParam = 'RoleSessionName' | 'Policy' | 'ExternalId' | 'DurationSeconds'

/**
 * AssumeRole on the operator's role, through credvend's own signer and wire code — but not
 * through `createStsClient`, whose input schema (rightly) stops out-of-limit names and policies
 * before they leave the process, which is exactly what the limit cases must send. Defaults: the
 * right ExternalId, a 900-s session; an override set to `undefined` leaves that parameter out.
 */
export const assumeLiveRole = async (
  ctx: LiveContext,
  overrides: Partial<Record<StsParam, string | undefined>> = {},
  options: { readonly credentials?: Credentials; readonly scheme?: SignatureScheme } = {},
) => {
  const merged: Record<string, string | undefined> = {
    RoleArn: ctx.target.roleArn,
    RoleSessionName: LIVE_SESSION_NAME,
    DurationSeconds: '900',
    ExternalId: ctx.target.externalId,
    ...overrides,
  }
  const params = Object.fromEntries(
    Object.entries(merged).filter((e): e is [string, string] => e[1] !== undefined),
  )
  const request = await buildSignedRequest(
    { endpoint: ctx.target.stsEndpoint, action: 'AssumeRole', version: STS_VERSION, params },
    {
      credentials: options.credentials ?? ctx.target.credentials,
      scheme: options.scheme ?? 'rpc-hmac-sha1',
      now: ctx.deps.now(),
      nonce: ctx.deps.randomId(),
    },
  )
  return answerOf(
    callOpenApi(ctx.deps.fetch, request, {
      operation: 'AssumeRole',
      timeoutMs: TIMEOUT_MS,
      schema: assumeRoleReply,
      errors: stsErrors,
    }),
  )
}

/** GetCallerIdentity as `credentials`: read-only, needs no permission — a pure "is this key alive". */
export const callerIdentityAs = async (ctx: LiveContext, credentials: Credentials) => {
  const request = await buildSignedRequest(
    {
      endpoint: ctx.target.stsEndpoint,
      action: 'GetCallerIdentity',
      version: STS_VERSION,
      params: {},
    },
    { credentials, scheme: 'rpc-hmac-sha1', now: ctx.deps.now(), nonce: ctx.deps.randomId() },
  )
  return answerOf(
    callOpenApi(ctx.deps.fetch, request, {
      operation: 'GetCallerIdentity',
      timeoutMs: TIMEOUT_MS,
      schema: callerIdentityReply,
      errors: stsErrors,
    }),
  )
}

/** GetSecretValue through credvend's own KMS client, signed with `scheme`. */
export const getLiveSecret = (
  ctx: LiveContext,
  secretName: string,
  stage: 'ACSCurrent' | 'ACSPrevious',
  scheme: SignatureScheme = 'rpc-hmac-sha1',
) => {
  const kms = createKmsClient(
    { endpoint: ctx.target.kmsEndpoint.href, timeoutMs: TIMEOUT_MS, signature: scheme },
    ctx.deps,
  )
  return answerOf(kms.getSecretValue(ctx.target.credentials, { secretName, versionStage: stage }))
}
