import type { createDemoConfig } from './local/demo-config.ts'
import type { startLocalEmulator } from './local/local-emulator.ts'

type Emulator = Awaited<ReturnType<typeof startLocalEmulator>>
type Demo = Awaited<ReturnType<typeof createDemoConfig>>

/**
 * The local-mode banner: loud about being local, and enough to call both the app and the
 * emulator by copy and paste. The demo keys are minted per start and are printed on purpose:
 * they open nothing but this process's emulator.
 */
export const localBanner = ({
  appUrl,
  emulator,
  demo: demoConfig,
}: {
  appUrl: string
  emulator: Emulator
  demo: Demo
}): string => {
  const { demo, stsEndpoint } = emulator
  const bar = '='.repeat(78)
  return [
    bar,
    '  credvend — LOCAL MODE: embedded Alibaba Cloud emulator, demo world, keys minted at this start',
    '  Nothing here talks to Alibaba Cloud. Do not use local mode in production.',
    bar,
    `  credvend app       ${appUrl}`,
    `    curl -s ${appUrl}/healthz`,
    '',
    `  Demo page: open ${appUrl}/demo/ — sign in as alice or bob, upload to OSS with ali-oss`,
    '',
    '  Vend OSS upload credentials as the demo user "alice" (JWT, valid 1 h), scoped to demo-bucket/users/alice/:',
    `    curl -s -X POST ${appUrl}/v1/credentials/demo-upload -H 'Authorization: Bearer ${demoConfig.demoToken}'`,
    '  The same as a signed PostObject form (no AccessKeySecret; 1 MiB limit):',
    `    curl -s -X POST ${appUrl}/v1/credentials/demo-form -H 'Authorization: Bearer ${demoConfig.demoToken}' -H 'Content-Type: application/json' -d '{"form":true}'`,
    "  As the demo partner (API key), with the partner role's ExternalId added by the server:",
    `    curl -s ${appUrl}/v1/credentials/demo-partner -H 'Authorization: Bearer ${demoConfig.apiKey}'`,
    '',
    `  STS emulator       ${stsEndpoint}   (RPC v1.0 and ACS3 signatures verified)`,
    `  OSS emulator       ${emulator.ossEndpoint}   (bucket demo-bucket; V1/V4 signatures and STS tokens verified)`,
    `  demo account       ${demo.accountId}`,
    `  demo RAM user      credvend  (may only sts:AssumeRole)`,
    `    AccessKeyId      ${demo.vendor.accessKeyId}`,
    `    AccessKeySecret  ${demo.vendor.accessKeySecret}`,
    `  demo role          ${demo.appRole.arn}`,
    `  partner role       ${demo.partnerRole.arn}  (ExternalId ${demo.externalId})`,
    '',
    '  Try it with the official STS SDK (npm i @alicloud/sts20150401):',
    `    new Sts({ accessKeyId: '${demo.vendor.accessKeyId}', accessKeySecret: '…above…',`,
    `              endpoint: '${stsEndpoint.replace('http://', '')}', protocol: 'http' })`,
    `      .assumeRole(new AssumeRoleRequest({ roleArn: '${demo.appRole.arn}', roleSessionName: 'me' }))`,
    bar,
  ].join('\n')
}
