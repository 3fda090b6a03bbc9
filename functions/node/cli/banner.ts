import type { createDemoConfig } from './local/demo-config.ts'
import {
  DEMO_BUCKET,
  DEMO_OSS_REGION,
  DEMO_RAM_SECRET,
  NODE_ALI_OSS_SETTINGS,
  type startLocalEmulator,
} from './local/local-emulator.ts'

type Emulator = Awaited<ReturnType<typeof startLocalEmulator>>
type Demo = Awaited<ReturnType<typeof createDemoConfig>>

const BAR = '='.repeat(78)

/** What each emulated service checks, beside its endpoint. */
const SERVICE_NOTES: Record<keyof Emulator['endpoints'], string> = {
  STS: 'RPC v1.0 and ACS3 signatures verified',
  OSS: 'V1/V4 signatures and STS tokens verified',
  KMS: 'Secrets Manager GetSecretValue; RAMCredentials secrets rotate',
}

const settings = Object.entries(NODE_ALI_OSS_SETTINGS)
  .map(([k, v]) => `${k}: ${String(v)}`)
  .join(', ')

/** Every endpoint the emulator runs, then credvend's own identity in it. */
const emulatorLines = (emulator: Emulator, bucketNote: string) => {
  const { demo } = emulator
  return [
    ...Object.entries(emulator.endpoints).map(
      ([name, url]) =>
        `  ${`${name} emulator`.padEnd(19)}${url}   (${name === 'OSS' ? `${bucketNote}; ` : ''}${SERVICE_NOTES[name as keyof typeof SERVICE_NOTES]})`,
    ),
    `  demo account       ${demo.accountId}`,
    `  demo RAM user      credvend  (credvend's own identity: may only sts:AssumeRole and kms:GetSecretValue)`,
    `    AccessKeyId      ${demo.vendor.accessKeyId}`,
    `    AccessKeySecret  ${demo.vendor.accessKeySecret}`,
  ]
}

/** The official KMS SDK reading a secret from the KMS emulator with credvend's keys. */
const kmsSdkLines = (emulator: Emulator, secretName: string) => [
  '  Read a KMS secret with the official KMS SDK (npm i @alicloud/kms20160120 @alicloud/rpc-client):',
  `    new Kms(new Config({ accessKeyId: '${emulator.demo.vendor.accessKeyId}', accessKeySecret: '…above…',`,
  `                         endpoint: '${new URL(emulator.kmsEndpoint).host}', protocol: 'http', regionId: 'cn-hangzhou' }))`,
  `      .getSecretValue(new GetSecretValueRequest({ secretName: '${secretName}' }))`,
]

/** A Node ali-oss client on the OSS emulator, `v` being a vend's answer; a browser needs none of this. */
const aliOssLines = (place: string) => [
  `  ali-oss in Node: bucket.localhost does not resolve there, so address the bucket by path (${settings}):`,
  `    new OSS({ ${place}, ${settings},`,
  '              accessKeyId: v.AccessKeyId, accessKeySecret: v.AccessKeySecret, stsToken: v.SecurityToken })',
  '  In a browser, ali-oss needs no such setting (browsers resolve bucket.localhost).',
]

const originsLine = (origins: readonly string[], where: string) =>
  origins.length === 0
    ? []
    : [`  browser origins    ${origins.join(', ')}`, `                     (${where})`]

/**
 * The local-mode banner: loud about being local, and enough to call the app and every emulated
 * service by copy and paste. The demo keys are minted per start and are printed on purpose: they
 * open nothing but this process's emulator.
 */
export const localBanner = ({
  appUrl,
  emulator,
  demo: demoConfig,
  origins = [],
}: {
  appUrl: string
  emulator: Emulator
  demo: Demo
  /** The browser origins the demo upload profiles and the demo bucket admit. */
  origins?: readonly string[]
}): string => {
  const { demo, stsEndpoint } = emulator
  return [
    BAR,
    '  credvend — LOCAL MODE: embedded Alibaba Cloud emulator, demo world, keys minted at this start',
    '  Nothing here talks to Alibaba Cloud. Do not use local mode in production.',
    BAR,
    `  credvend app       ${appUrl}`,
    `    curl -s ${appUrl}/healthz`,
    ...originsLine(
      origins,
      'the demo upload profiles’ CORS and the demo bucket’s; add one with --allow-origin',
    ),
    '',
    `  Demo page: open ${appUrl}/demo/ — sign in as alice or bob, upload to OSS with ali-oss`,
    '',
    '  Vend OSS upload credentials as the demo user "alice" (JWT, valid 1 h), scoped to demo-bucket/users/alice/:',
    `    curl -s -X POST ${appUrl}/v1/credentials/demo-upload -H 'Authorization: Bearer ${demoConfig.demoToken}'`,
    '  The same as a signed PostObject form (no AccessKeySecret; 1 MiB limit):',
    `    curl -s -X POST ${appUrl}/v1/credentials/demo-form -H 'Authorization: Bearer ${demoConfig.demoToken}' -H 'Content-Type: application/json' -d '{"form":true}'`,
    "  As the demo partner (API key), with the partner role's ExternalId added by the server:",
    `    curl -s ${appUrl}/v1/credentials/demo-partner -H 'Authorization: Bearer ${demoConfig.apiKey}'`,
    `  As an internal service (its own API key), the KMS-rotated AccessKey of the legacy RAM user erp-ak-user`,
    `  (access-key profile, secret ${DEMO_RAM_SECRET}; it may read ${DEMO_BUCKET}/erp/* only):`,
    `    curl -s ${appUrl}/v1/credentials/demo-access-key -H 'Authorization: Bearer ${demoConfig.serviceKey}'`,
    '',
    ...emulatorLines(emulator, `bucket ${DEMO_BUCKET}`),
    `  demo role          ${demo.appRole.arn}`,
    `  partner role       ${demo.partnerRole.arn}  (ExternalId ${demo.externalId})`,
    '',
    '  Try it with the official STS SDK (npm i @alicloud/sts20150401):',
    `    new Sts({ accessKeyId: '${demo.vendor.accessKeyId}', accessKeySecret: '…above…',`,
    `              endpoint: '${stsEndpoint.replace('http://', '')}', protocol: 'http' })`,
    `      .assumeRole(new AssumeRoleRequest({ roleArn: '${demo.appRole.arn}', roleSessionName: 'me' }))`,
    ...kmsSdkLines(emulator, DEMO_RAM_SECRET),
    ...aliOssLines(
      `region: '${DEMO_OSS_REGION}', bucket: '${DEMO_BUCKET}', endpoint: '${emulator.ossEndpoint}'`,
    ),
    BAR,
  ].join('\n')
}

/**
 * The banner of `serve --local --config FILE`: which config, what was pointed at the emulator,
 * what the emulator's world was given for it, and the emulator itself. The config's own callers
 * hold their keys and tokens, so there is nothing of theirs to print.
 */
export const localConfigBanner = ({
  appUrl,
  emulator,
  path,
  profiles,
  changes,
  created,
  origins,
  secretName,
}: {
  appUrl: string
  emulator: Emulator
  path: string
  profiles: readonly string[]
  /** What was pointed at the emulator, one line each. */
  changes: readonly string[]
  /** What the emulator's world was given, one line each. */
  created: readonly string[]
  /** Origins --allow-origin added. */
  origins: readonly string[]
  /** A KMS secret the config's access-key profiles read, for the KMS SDK example. */
  secretName?: string | undefined
}): string =>
  [
    BAR,
    `  credvend — LOCAL MODE: ${path} on the embedded Alibaba Cloud emulator, keys minted at this start`,
    '  Nothing here talks to Alibaba Cloud. Do not use local mode in production.',
    BAR,
    `  credvend app       ${appUrl}`,
    `    curl -s ${appUrl}/healthz`,
    `  profiles           ${profiles.join(', ')}`,
    `                     (GET or POST ${appUrl}/v1/credentials/<profile>, as the config's callers)`,
    ...originsLine(
      origins,
      'added by --allow-origin to every oss-upload profile’s corsOrigins and its bucket’s CORS',
    ),
    '',
    '  Pointed at the emulator:',
    ...changes.map((line) => `    ${line}`),
    '  Created in the emulator for this config:',
    ...(created.length > 0 ? created.map((line) => `    ${line}`) : ['    nothing']),
    '',
    ...emulatorLines(emulator, `bucket ${DEMO_BUCKET} and the config's buckets`),
    '',
    ...kmsSdkLines(emulator, secretName ?? DEMO_RAM_SECRET),
    ...aliOssLines('region: v.Region, bucket: v.Bucket, endpoint: v.Endpoint'),
    BAR,
  ].join('\n')
