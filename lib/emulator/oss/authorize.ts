import { conditionContext, evaluatePolicies } from '../policy/evaluate.ts'
import type { Principal } from '../world.ts'
import { OssEmulatorError } from './oss-errors.ts'
import type { Bucket } from './oss-store.ts'

/**
 * RAM authorization for one OSS action: a user by its own policies; an STS session by its role's
 * policies **and** its session policy — both must allow, an explicit Deny in either refuses. No
 * bucket policies: a principal of another account is refused outright.
 * @internal
 */
export const authorizeOss = (
  principal: Principal | undefined,
  bucket: Bucket,
  action: string,
  key: string | undefined,
  context: Readonly<Record<string, string | undefined>> = {},
): void => {
  if (!principal || principal.accountId !== bucket.accountId)
    throw new OssEmulatorError('AccessDenied', 'You have no right to access this bucket.')
  const resource = `acs:oss:${bucket.region}:${bucket.accountId}:${bucket.name}${key === undefined ? '' : `/${key}`}`
  const request = {
    action,
    resource,
    context: conditionContext({
      'acs:SecureTransport': 'false',
      'acs:SourceIp': '127.0.0.1',
      ...context,
    }),
  }
  const layers =
    principal.kind === 'user'
      ? [principal.policies]
      : [principal.role.policies, ...(principal.sessionPolicy ? [[principal.sessionPolicy]] : [])]
  for (const policies of layers) {
    if (evaluatePolicies(policies, request) !== 'Allow') {
      throw new OssEmulatorError(
        'AccessDenied',
        `You have no right to access this ${key === undefined ? 'bucket' : 'object'} because of RAM policy (${action}).`,
      )
    }
  }
}
