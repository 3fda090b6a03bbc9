import type { OssUploadProfile } from '../config/schema.ts'
import { toBase64, utf8 } from '../crypto/encoding.ts'
import { ossV4Date, ossV4PostSignature } from '../signing/oss-v4.ts'

/** A signed PostObject form: everything a browser needs except `key`, `Content-Type` and `file`. @public */
export interface PostObjectForm {
  readonly Url: string
  readonly Fields: Readonly<Record<string, string>>
  readonly KeyPrefix: string
  readonly MinSizeBytes: number
  readonly MaxSizeBytes: number
  readonly ContentTypes?: readonly string[]
  readonly Expiration: string
}

const LOOPBACK_HOST = /^(127\.\d+\.\d+\.\d+|localhost|\[::1\])$/

/** The endpoint ali-oss is given: the profile's, or the public one for its region. @internal */
export const ossEndpoint = (profile: Pick<OssUploadProfile, 'endpoint' | 'region'>): string =>
  (profile.endpoint ?? `https://${profile.region}.aliyuncs.com`).replace(/\/$/, '')

/**
 * Where the form is POSTed: virtual-hosted `https://bucket.endpoint`, as OSS expects, except for
 * a loopback emulator, whose `bucket.localhost` names not every client resolves — path style there.
 */
const formUrl = (endpoint: string, bucket: string) => {
  const url = new URL(endpoint)
  if (LOOPBACK_HOST.test(url.hostname)) return `${url.origin}/${bucket}`
  return `${url.protocol}//${bucket}.${url.host}`
}

/**
 * Signs a PostObject V4 policy (as ali-sdk/ali-oss `lib/common/object/signPostObjectPolicyV4.ts`
 * does) with the vended STS credentials, so the caller receives a form and never the
 * AccessKeySecret: size and content-type limits hold only if the caller cannot sign a policy of
 * its own.
 * @public
 */
export const signPostObject = async (init: {
  readonly profile: Pick<OssUploadProfile, 'bucket' | 'region' | 'endpoint'> & {
    readonly form: NonNullable<OssUploadProfile['form']>
  }
  readonly prefix: string
  readonly accessKeyId: string
  readonly accessKeySecret: string
  readonly securityToken: string
  readonly expiration: Date
  readonly now: Date
}): Promise<PostObjectForm> => {
  const { profile, prefix } = init
  const region = profile.region.replace(/^oss-/, '')
  const date = ossV4Date(init.now)
  const credential = `${init.accessKeyId}/${date.slice(0, 8)}/${region}/oss/aliyun_v4_request`
  const conditions: unknown[] = [
    { bucket: profile.bucket },
    { 'x-oss-credential': credential },
    { 'x-oss-date': date },
    { 'x-oss-signature-version': 'OSS4-HMAC-SHA256' },
    { 'x-oss-security-token': init.securityToken },
    ['content-length-range', profile.form.minSizeBytes, profile.form.maxSizeBytes],
    ['starts-with', '$key', prefix],
    ['eq', '$success_action_status', '200'],
  ]
  if (profile.form.contentTypes) conditions.push(['in', '$content-type', profile.form.contentTypes])
  const policy = toBase64(
    utf8(JSON.stringify({ expiration: init.expiration.toISOString(), conditions })),
  )
  return {
    Url: formUrl(ossEndpoint(profile), profile.bucket),
    Fields: {
      policy,
      'x-oss-signature-version': 'OSS4-HMAC-SHA256',
      'x-oss-credential': credential,
      'x-oss-date': date,
      'x-oss-security-token': init.securityToken,
      'x-oss-signature': await ossV4PostSignature(
        init.accessKeySecret,
        date.slice(0, 8),
        region,
        policy,
      ),
      success_action_status: '200',
    },
    KeyPrefix: prefix,
    MinSizeBytes: profile.form.minSizeBytes,
    MaxSizeBytes: profile.form.maxSizeBytes,
    ...(profile.form.contentTypes ? { ContentTypes: profile.form.contentTypes } : {}),
    Expiration: init.expiration.toISOString().replace(/\.\d{3}Z$/, 'Z'),
  }
}
