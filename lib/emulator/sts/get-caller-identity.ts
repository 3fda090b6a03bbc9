import type { Principal } from '../world.ts'

/**
 * GetCallerIdentity: field names from the SDK model (aliyun/alibabacloud-typescript-sdk
 * `sts-20150401/src/models/GetCallerIdentityResponseBody.ts`); the assumed-role ARN form
 * `acs:ram::<account>:assumed-role/<role>/<session>` and `IdentityType` values are assumed.
 * @internal
 */
export const getCallerIdentity = (caller: Principal, requestId: string) =>
  caller.kind === 'user'
    ? {
        RequestId: requestId,
        AccountId: caller.accountId,
        Arn: `acs:ram::${caller.accountId}:user/${caller.userName}`,
        IdentityType: 'RAMUser',
        PrincipalId: caller.userId,
        UserId: caller.userId,
      }
    : {
        RequestId: requestId,
        AccountId: caller.accountId,
        Arn: `acs:ram::${caller.accountId}:assumed-role/${caller.role.roleName.toLowerCase()}/${caller.sessionName}`,
        IdentityType: 'AssumedRoleUser',
        PrincipalId: `${caller.role.roleId}:${caller.sessionName}`,
        RoleId: caller.role.roleId,
      }
