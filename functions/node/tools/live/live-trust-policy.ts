import { EXTERNAL_ID_CONDITION_KEY } from '../../../../lib/policy/condition-keys.ts'

/**
 * The trust policy the role under test needs: the operator's identity and the role itself (for
 * the chained case) may assume it, only with the ExternalId — written with the condition key the
 * emulator presumes, since confirming that key is what the ExternalId cases are for.
 */
export const liveTrustPolicy = (operator: string, roleArn: string, externalId: string) => ({
  Version: '1',
  Statement: [
    {
      Effect: 'Allow',
      Action: 'sts:AssumeRole',
      Principal: { RAM: [operator, roleArn] },
      Condition: { StringEquals: { [EXTERNAL_ID_CONDITION_KEY]: externalId } },
    },
  ],
})

/** Its permission policy: nothing but assuming itself, which the chained case needs. */
export const livePermissionPolicy = (roleArn: string) => ({
  Version: '1',
  Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: roleArn }],
})
