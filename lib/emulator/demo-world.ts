import { renderTrustPolicy } from '../partners/trust-policy.ts'
import type { World } from './world.ts'

/** Fixed so that golden files rendered from the demo config stay stable; they are not secrets. */
export const DEMO_ACCOUNT_ID = '1234567890123456'
export const DEMO_PARTNER_ACCOUNT_ID = '2222222222222222'

/**
 * The world `credvend serve --local` starts with: credvend's account, with a RAM user standing in
 * for credvend's own identity (allowed only sts:AssumeRole), an upload role, a hub role and an OSS
 * administrator; and a partner's account, with a role that trusts credvend's identity only with the
 * partner's ExternalId, and one that trusts the hub the same way (a cross-account chain). Every
 * trust policy comes from the same renderer onboarding uses. Keys are minted per start by the
 * world's randomness; nothing here is a committed secret.
 * @public
 */
export const createDemoWorld = (world: World, externalId: string) => {
  const accountId = world.createAccount(DEMO_ACCOUNT_ID)
  const partnerAccountId = world.createAccount(DEMO_PARTNER_ACCOUNT_ID)
  const vendor = world.createUser(accountId, 'credvend', {
    policies: [
      {
        Version: '1',
        Statement: [
          { Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' },
          {
            Effect: 'Allow',
            Action: 'kms:GetSecretValue',
            Resource: `acs:kms:*:${accountId}:secret/*`,
          },
        ],
      },
    ],
  })
  // A legacy system's RAM user, whose AccessKey a KMS RAMCredentials secret holds and rotates.
  const erpUser = world.createUser(accountId, 'erp-ak-user', {
    policies: [
      {
        Version: '1',
        Statement: [
          { Effect: 'Allow', Action: 'oss:GetObject', Resource: 'acs:oss:*:*:demo-bucket/erp/*' },
        ],
      },
    ],
  })
  const vendorArn = `acs:ram::${accountId}:user/credvend`
  const appRole = world.createRole(accountId, 'credvend-demo', {
    trustPolicy: renderTrustPolicy({ trusted: vendorArn }),
    policies: [
      {
        Version: '1',
        Statement: [
          {
            Effect: 'Allow',
            Action: 'oss:*',
            Resource: ['acs:oss:*:*:demo-bucket', 'acs:oss:*:*:demo-bucket/*'],
          },
        ],
      },
    ],
  })
  const hubRole = world.createRole(accountId, 'credvend-hub', {
    trustPolicy: renderTrustPolicy({ trusted: vendorArn }),
    policies: [
      {
        Version: '1',
        Statement: [
          {
            Effect: 'Allow',
            Action: 'sts:AssumeRole',
            Resource: `acs:ram::${partnerAccountId}:role/*`,
          },
        ],
      },
    ],
  })
  const partnerPolicies = [
    {
      Version: '1',
      Statement: [
        { Effect: 'Allow', Action: 'oss:GetObject', Resource: 'acs:oss:*:*:partner-reports/*' },
      ],
    },
  ]
  const partnerRole = world.createRole(partnerAccountId, 'credvend-partner-demo', {
    trustPolicy: renderTrustPolicy({ trusted: vendorArn, externalId }),
    policies: partnerPolicies,
  })
  const partnerChainRole = world.createRole(partnerAccountId, 'credvend-partner-via-hub', {
    trustPolicy: renderTrustPolicy({ trusted: hubRole.arn, externalId }),
    policies: partnerPolicies,
  })
  // The bucket's owner, for looking at what callers wrote (never handed to a caller).
  const admin = world.createUser(accountId, 'oss-admin', {
    policies: [{ Version: '1', Statement: [{ Effect: 'Allow', Action: 'oss:*', Resource: '*' }] }],
  })
  return {
    accountId,
    partnerAccountId,
    vendor,
    vendorArn,
    appRole,
    hubRole,
    partnerRole,
    partnerChainRole,
    admin,
    erpUser,
  }
}
