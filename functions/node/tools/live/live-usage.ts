import { LIVE_ENV } from './live-target.ts'
import { livePermissionPolicy, liveTrustPolicy } from './live-trust-policy.ts'

const indent = (text: string, by: string) => text.replace(/^/gm, by)

/**
 * What `npm run test:live` needs and does, printed instead of running when a variable is missing
 * or malformed — decided before any call is made.
 */
export const liveUsage = (problems: {
  readonly missing: readonly string[]
  readonly problems: readonly string[]
}): string => {
  const role = '<CREDVEND_LIVE_ROLE_ARN>'
  const trust = JSON.stringify(
    liveTrustPolicy(
      'acs:ram::<your account id>:user/<your RAM user>',
      role,
      '<CREDVEND_LIVE_EXTERNAL_ID>',
    ),
    null,
    2,
  )
  const lines = [
    "npm run test:live — puts the assumptions of the emulator's faithfulness table (lib/emulator/README.md)",
    'to a real Alibaba Cloud account and prints, per case, whether each holds. Never run in CI.',
    '',
    ...(problems.missing.length > 0
      ? [
          `Not run, nothing was sent: ${problems.missing.join(', ')} ${problems.missing.length === 1 ? 'is' : 'are'} not set.`,
        ]
      : []),
    ...problems.problems.map((p) => `Not run, nothing was sent: ${p}.`),
    '',
    'Required:',
    `  ${LIVE_ENV.accessKeyId}, ${LIVE_ENV.accessKeySecret}`,
    "      the AccessKey to test with: a RAM user's, allowed sts:AssumeRole on the role (and",
    '      kms:GetSecretValue on the secret below); never printed',
    `  ${LIVE_ENV.roleArn}      acs:ram::<account id>:role/<name>, a role set up for this check (below)`,
    `  ${LIVE_ENV.externalId}   the ExternalId that role's trust policy demands; never printed`,
    'Optional:',
    `  ${LIVE_ENV.securityToken}   when the AccessKey is an STS key (the chained case is then skipped)`,
    `  ${LIVE_ENV.region}         default cn-hangzhou`,
    `  ${LIVE_ENV.kmsSecret}     a KMS secret the key may read; a RAMCredentials secret that has`,
    '      rotated at least once also runs the rotation case. Unset: the KMS cases are skipped',
    `  ${LIVE_ENV.stsEndpoint}   default https://sts.<region>.aliyuncs.com`,
    `  ${LIVE_ENV.kmsEndpoint}   default https://kms.<region>.aliyuncs.com`,
    '      https://, or http:// on 127.0.0.1 / localhost only (e.g. the local emulator)',
    '',
    'The role:',
    '  trust policy — your identity and the role itself, each only with the ExternalId:',
    indent(trust, '    '),
    '  permission policy — only assuming itself (for the chained case):',
    indent(JSON.stringify(livePermissionPolicy(role), null, 2), '    '),
    '  MaxSessionDuration — at least 7200 (for the chained case)',
    '',
    'What it calls — AssumeRole and read-only calls only; it creates, changes and deletes nothing:',
    '  STS AssumeRole on that one role, about 16 times (900-s sessions, two of 7,200 s; the',
    '      credentials received are discarded, never printed or stored), some refused on purpose',
    '  STS GetCallerIdentity with the two AccessKeys of the named RAMCredentials secret',
    '  KMS GetSecretValue (ACSCurrent, ACSPrevious) on the named secret',
    '',
    'Output: one line per case — holds, differs: <what was seen>, skipped: <why>, or error: <no',
    'answer> — naming its faithfulness-table row. Exit 0 when every case that ran holds, 1 when any',
    'differs or got no answer, 2 for this message.',
  ]
  return `${lines.join('\n')}\n`
}
