import { formatTimestamp } from '../../signing/timestamp.ts'
import type { SessionRecord } from '../world.ts'

/**
 * The AssumeRole reply body for an issued session
 * (https://www.alibabacloud.com/help/en/ram/developer-reference/api-sts-2015-04-01-assumerole).
 * @internal
 */
export const credentialsReply = (requestId: string, session: SessionRecord) => ({
  RequestId: requestId,
  AssumedRoleUser: {
    AssumedRoleId: `${session.role.roleId}:${session.sessionName}`,
    Arn: `${session.role.arn}/${session.sessionName}`,
  },
  Credentials: {
    SecurityToken: session.securityToken,
    Expiration: formatTimestamp(session.expiresAt),
    AccessKeySecret: session.accessKeySecret,
    AccessKeyId: session.accessKeyId,
  },
  ...(session.sourceIdentity === undefined ? {} : { SourceIdentity: session.sourceIdentity }),
})
