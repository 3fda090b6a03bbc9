import { createHash } from 'node:crypto'
import { renderTrustPolicy } from '../../lib/partners/trust-policy.ts'
import { randomHexId } from '../../lib/runtime/deps.ts'
import { createStsClient } from '../../lib/sts/client.ts'
import { startTestEmulator } from './emulator.ts'

/** The partner API key every FC test vends with. */
export const FC_TEST_KEY = `cvk_acme_${'C'.repeat(43)}`

/**
 * A world as a deployed function sees it: the function's own role (whose temporary keys FC hands
 * to each invocation), a profile role that trusts exactly that role, and the config and secrets
 * the function is deployed with.
 */
export const startFcWorld = async () => {
  const emulator = await startTestEmulator()
  const account = emulator.demo.accountId
  const fnRole = emulator.world.createRole(account, 'fc-credvend', {
    trustPolicy: {
      Version: '1',
      Statement: [
        {
          Effect: 'Allow',
          Action: 'sts:AssumeRole',
          Principal: { RAM: [`acs:ram::${account}:root`] },
        },
      ],
    },
    // AssumeRole for its profiles; GetSecretValue for access-key profiles (the internal function).
    policies: [
      {
        Version: '1',
        Statement: [
          { Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' },
          {
            Effect: 'Allow',
            Action: 'kms:GetSecretValue',
            Resource: `acs:kms:*:${account}:secret/*`,
          },
        ],
      },
    ],
  })
  const target = emulator.world.createRole(account, 'fc-target', {
    trustPolicy: renderTrustPolicy({ trusted: fnRole.arn }),
    policies: [
      {
        Version: '1',
        Statement: [
          { Effect: 'Allow', Action: 'oss:GetObject', Resource: 'acs:oss:*:*:demo-bucket/*' },
        ],
      },
    ],
  })
  const sts = createStsClient(
    { endpoint: emulator.stsEndpoint },
    { fetch, now: emulator.now, randomId: randomHexId },
  )
  /** A fresh set of the function role's temporary keys, as FC would hand them. */
  const functionKeys = async (sessionName = 'fc-instance') => {
    const { credentials } = await sts.assumeRole(
      { ...emulator.demo.vendor, source: 'fc-platform' },
      { roleArn: fnRole.arn, roleSessionName: sessionName },
    )
    return {
      accessKeyId: credentials.accessKeyId,
      accessKeySecret: credentials.accessKeySecret,
      securityToken: credentials.securityToken,
    }
  }
  const config = {
    region: 'cn-hangzhou',
    sts: { endpoint: emulator.stsEndpoint },
    callers: { apiKeys: [{ id: 'acme', sha256: [{ env: 'ACME_SHA256' }] }] },
    profiles: {
      plain: {
        kind: 'sts',
        allow: [{ apiKey: 'acme' }],
        roleArn: target.arn,
        durationSeconds: { default: 900, max: 3600 },
      },
    },
    exposeInternalRoutes: true,
    // The stampede of one caller is on purpose; the limits have tests of their own.
    limits: { perCaller: null, perCallerMisses: null, perSourceAddress: null },
  }
  const env = {
    CREDVEND_CONFIG_JSON: JSON.stringify(config),
    ACME_SHA256: createHash('sha256').update(FC_TEST_KEY).digest('hex'),
    // Nothing else in the chain may answer: only what FC hands over can make a vend work.
    ALIBABA_CLOUD_ECS_METADATA_DISABLED: 'true',
  }
  return { emulator, functionKeys, env, config, targetArn: target.arn, fnRoleArn: fnRole.arn }
}
