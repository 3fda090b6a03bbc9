import type { ReplyParser } from '../openapi/call.ts'
import { parseTimestamp } from '../signing/timestamp.ts'
import { assumeRoleReply, type AssumeRoleResult } from './schemas.ts'

type Fields = Readonly<Record<string, unknown>>

const isObject = (value: unknown): value is Fields =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

const isFilled = (value: unknown): value is string => typeof value === 'string' && value !== ''

/**
 * An AssumeRole (or AssumeRoleWithOIDC) reply read by hand, when `assumeRoleReply` would take it:
 * the same fields, the same types, an Expiration `parseTimestamp` reads, the same result.
 * Undefined for anything else.
 * @internal
 */
export const readAssumeRoleReply = (body: unknown): AssumeRoleResult | undefined => {
  if (!isObject(body)) return undefined
  const { RequestId, AssumedRoleUser: user, Credentials: block, SourceIdentity } = body
  if (typeof RequestId !== 'string' || !isObject(user) || !isObject(block)) return undefined
  const { AssumedRoleId, Arn } = user
  const { AccessKeyId, AccessKeySecret, SecurityToken, Expiration } = block
  if (typeof AssumedRoleId !== 'string' || typeof Arn !== 'string') return undefined
  if (!isFilled(AccessKeyId) || !isFilled(AccessKeySecret) || !isFilled(SecurityToken))
    return undefined
  const expiration = typeof Expiration === 'string' ? parseTimestamp(Expiration) : undefined
  if (!expiration) return undefined
  if (SourceIdentity !== undefined && typeof SourceIdentity !== 'string') return undefined
  return {
    requestId: RequestId,
    assumedRoleUser: { arn: Arn, assumedRoleId: AssumedRoleId },
    credentials: {
      accessKeyId: AccessKeyId,
      accessKeySecret: AccessKeySecret,
      securityToken: SecurityToken,
      expiration,
    },
    ...(SourceIdentity === undefined ? {} : { sourceIdentity: SourceIdentity }),
  }
}

/**
 * Reads an STS reply on every cache miss: by hand first, and through the zod schema only when
 * that refuses, so the schema stays what decides and a well-formed reply costs little.
 * @internal
 */
export const assumeRoleReplyParser: ReplyParser<AssumeRoleResult> = {
  safeParse(body) {
    const data = readAssumeRoleReply(body)
    return data ? { success: true, data } : assumeRoleReply.safeParse(body)
  },
}
