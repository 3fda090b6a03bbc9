import { EXTERNAL_ID_CONDITION_KEY } from '../policy/condition-keys.ts'
import type { World } from './world.ts'

/**
 * The world `credvend serve --local` starts with: one account, a RAM user standing in for
 * credvend's own identity (allowed only sts:AssumeRole), a role it may assume, and a partner
 * role that demands an ExternalId, and an OSS administrator (the bucket's owner). Keys are minted per start by the world's randomness; nothing
 * here is a committed secret.
 * @public
 */
export const createDemoWorld = (world: World, externalId: string) => {
  const accountId = world.createAccount()
  const vendor = world.createUser(accountId, 'credvend', {
    policies: [{ Version: '1', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' }] }],
  })
  const trustAccount = { RAM: [`acs:ram::${accountId}:root`] }
  const appRole = world.createRole(accountId, 'credvend-demo', {
    trustPolicy: { Version: '1', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: trustAccount }] },
    policies: [{ Version: '1', Statement: [{ Effect: 'Allow', Action: 'oss:*', Resource: ['acs:oss:*:*:demo-bucket', 'acs:oss:*:*:demo-bucket/*'] }] }],
  })
  const partnerRole = world.createRole(accountId, 'credvend-partner-demo', {
    trustPolicy: {
      Version: '1',
      Statement: [{
        Effect: 'Allow',
        Action: 'sts:AssumeRole',
        Principal: trustAccount,
        Condition: { StringEquals: { [EXTERNAL_ID_CONDITION_KEY]: externalId } },
      }],
    },
    policies: [{ Version: '1', Statement: [{ Effect: 'Allow', Action: 'oss:GetObject', Resource: 'acs:oss:*:*:partner-reports/*' }] }],
  })
  // The bucket's owner, for looking at what callers wrote (never handed to a caller).
  const admin = world.createUser(accountId, 'oss-admin', {
    policies: [{ Version: '1', Statement: [{ Effect: 'Allow', Action: 'oss:*', Resource: '*' }] }],
  })
  return { accountId, vendor, appRole, partnerRole, admin }
}
