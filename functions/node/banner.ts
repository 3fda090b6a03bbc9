import type { startLocalEmulator } from './local-emulator.ts'

type Emulator = Awaited<ReturnType<typeof startLocalEmulator>>

/**
 * The local-mode banner: loud about being local, and enough to call both the app and the
 * emulator by copy and paste. The demo keys are minted per start and are printed on purpose:
 * they open nothing but this process's emulator.
 */
export const localBanner = ({ appUrl, emulator }: { appUrl: string; emulator: Emulator }): string => {
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
    `  STS emulator       ${stsEndpoint}   (RPC v1.0 and ACS3 signatures verified)`,
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
