import type { Credentials } from '../../../../lib/credentials/types.ts'
import { EXTERNAL_ID, ROLE_ARN } from '../../../../lib/sts/schemas.ts'

/** Every variable `npm run test:live` reads; names kept as constants. */
export const LIVE_ENV = {
  accessKeyId: 'ALIBABA_CLOUD_ACCESS_KEY_ID',
  accessKeySecret: 'ALIBABA_CLOUD_ACCESS_KEY_SECRET',
  securityToken: 'ALIBABA_CLOUD_SECURITY_TOKEN',
  roleArn: 'CREDVEND_LIVE_ROLE_ARN',
  externalId: 'CREDVEND_LIVE_EXTERNAL_ID',
  region: 'CREDVEND_LIVE_REGION',
  kmsSecret: 'CREDVEND_LIVE_KMS_SECRET',
  stsEndpoint: 'CREDVEND_LIVE_STS_ENDPOINT',
  kmsEndpoint: 'CREDVEND_LIVE_KMS_ENDPOINT',
} as const

/** Without these nothing can run. */
export const REQUIRED_LIVE_ENV = [
  LIVE_ENV.accessKeyId,
  LIVE_ENV.accessKeySecret,
  LIVE_ENV.roleArn,
  LIVE_ENV.externalId,
] as const

/** The account under test, as the operator described it. */
export interface LiveTarget {
  readonly credentials: Credentials
  readonly roleArn: string
  /** Sent to STS only; never printed (it is what guards the role). */
  readonly externalId: string
  readonly region: string
  readonly stsEndpoint: URL
  readonly kmsEndpoint: URL
  readonly kmsSecret: string | undefined
}

export type LiveTargetResult =
  | { readonly ok: true; readonly target: LiveTarget }
  | {
      readonly ok: false
      readonly missing: readonly string[]
      readonly problems: readonly string[]
    }

const LOOPBACK = /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|localhost|\[::1\])$/

/**
 * HTTPS anywhere, or plain HTTP to this machine only (the local emulator): a typo must not send
 * a security token in clear text across a network.
 */
const endpoint = (name: string, raw: string, problems: string[]): URL | undefined => {
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    problems.push(`${name} is not a URL`)
    return undefined
  }
  const ok =
    (url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK.test(url.hostname))) &&
    url.pathname === '/' &&
    !url.search
  if (!ok)
    problems.push(
      `${name} must be an https:// origin (or http:// on 127.0.0.1 / localhost), with no path or query`,
    )
  return ok ? url : undefined
}

/**
 * Reads and checks the operator's variables; an empty value counts as unset. Nothing here
 * touches the network: a refusal is decided before any call is made.
 */
export const readLiveTarget = (
  env: Readonly<Record<string, string | undefined>>,
): LiveTargetResult => {
  const get = (name: string) => (env[name] === '' ? undefined : env[name])
  const missing = REQUIRED_LIVE_ENV.filter((name) => get(name) === undefined)
  const problems: string[] = []
  const roleArn = get(LIVE_ENV.roleArn)
  if (roleArn !== undefined && !ROLE_ARN.test(roleArn))
    problems.push(`${LIVE_ENV.roleArn} must look like acs:ram::<account id>:role/<role name>`)
  const externalId = get(LIVE_ENV.externalId)
  if (externalId !== undefined && !EXTERNAL_ID.test(externalId))
    problems.push(`${LIVE_ENV.externalId} must be 2–1,224 of letters, digits and = , . @ : / - _ +`)
  const region = get(LIVE_ENV.region) ?? 'cn-hangzhou'
  if (!/^[a-z]{2}(-[a-z0-9]+)+$/.test(region))
    problems.push(`${LIVE_ENV.region} must be a region id such as cn-hangzhou`)
  const kmsSecret = get(LIVE_ENV.kmsSecret)
  if (kmsSecret !== undefined && !/^[\w/:.@-]{1,192}$/.test(kmsSecret))
    problems.push(`${LIVE_ENV.kmsSecret} is not a KMS secret name or ARN`)
  const sts = endpoint(
    LIVE_ENV.stsEndpoint,
    get(LIVE_ENV.stsEndpoint) ?? `https://sts.${region}.aliyuncs.com`,
    problems,
  )
  const kms = endpoint(
    LIVE_ENV.kmsEndpoint,
    get(LIVE_ENV.kmsEndpoint) ?? `https://kms.${region}.aliyuncs.com`,
    problems,
  )
  if (missing.length > 0 || problems.length > 0 || !sts || !kms)
    return { ok: false, missing, problems }
  const token = get(LIVE_ENV.securityToken)
  return {
    ok: true,
    target: {
      credentials: {
        accessKeyId: get(LIVE_ENV.accessKeyId)!,
        accessKeySecret: get(LIVE_ENV.accessKeySecret)!,
        ...(token ? { securityToken: token } : {}),
        source: 'env',
      },
      roleArn: roleArn!,
      externalId: externalId!,
      region,
      stsEndpoint: sts,
      kmsEndpoint: kms,
      kmsSecret,
    },
  }
}
