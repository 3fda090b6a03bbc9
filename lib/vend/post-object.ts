import type { OssUploadProfile } from '../config/schema.ts'
import { toBase64, utf8 } from '../crypto/encoding.ts'
import { ossV4Date, ossV4PostSignature } from '../signing/oss-v4.ts'

/**
 * A signed PostObject form: everything a browser needs except `key`, `file` and, when
 * `ContentTypes` is present, the object's type. The policy names every entry of `Fields` but itself
 * and the signature, so a browser posts them all, unchanged.
 * @public
 */
export interface PostObjectForm {
  readonly Url: string
  readonly Fields: Readonly<Record<string, string>>
  readonly KeyPrefix: string
  readonly MinSizeBytes: number
  readonly MaxSizeBytes: number
  /** The types the policy allows; present only when the profile limits them. */
  readonly ContentTypes?: readonly string[]
  /**
   * The form field that must carry one of `ContentTypes` (present with it): always
   * `x-oss-content-type`, the one field OSS ranks above the type a browser gives the file part and
   * above a `Content-Type` field, so the type the policy checked is the type the object is stored
   * with.
   */
  readonly ContentTypeField?: 'x-oss-content-type'
  readonly Expiration: string
}

/**
 * OSS stores a PostObject's type from `x-oss-content-type`, else the file part's own
 * Content-Type, else the `Content-Type` field
 * (https://www.alibabacloud.com/help/en/oss/developer-reference/postobject, form-field table).
 * A policy on `Content-Type` alone is therefore bypassed by adding this field, and a named
 * field must be sent (https://www.alibabacloud.com/help/en/oss/user-guide/0006-00000226):
 * limiting this one both requires it and makes its value the stored type.
 */
const CONTENT_TYPE_FIELD = 'x-oss-content-type'

const LOOPBACK_HOST = /^(127\.\d+\.\d+\.\d+|localhost|\[::1\])$/

/** The endpoint ali-oss is given: the profile's, or the public one for its region. @internal */
export const ossEndpoint = (profile: Pick<OssUploadProfile, 'endpoint' | 'region'>): string =>
  (profile.endpoint ?? `https://${profile.region}.aliyuncs.com`).replace(/\/$/, '')

/**
 * Where the form is POSTed (and a presigned URL's object lives under): virtual-hosted
 * `https://bucket.endpoint`, as OSS expects, except for a loopback emulator, whose
 * `bucket.localhost` names not every client resolves — path style there.
 * @internal
 */
export const objectBaseUrl = (endpoint: string, bucket: string): string => {
  const url = new URL(endpoint)
  if (LOOPBACK_HOST.test(url.hostname)) return `${url.origin}/${bucket}`
  return `${url.protocol}//${bucket}.${url.host}`
}

/**
 * Signs a PostObject V4 policy (as ali-sdk/ali-oss `lib/common/object/signPostObjectPolicyV4.ts`
 * does) with the vended STS credentials, so the caller receives a form and never the
 * AccessKeySecret: size and content-type limits hold only if the caller cannot sign a policy of
 * its own.
 *
 * The policy also pins, with `eq`, what a browser could otherwise add as a form field: the
 * object's ACL (`private` unless the profile says `default`), `x-oss-forbid-overwrite: true`, so an
 * upload never replaces an object already at its key (OSS answers FileAlreadyExists), and the
 * profile's download headers. OSS checks only the fields a policy names, and a named field must
 * be sent (https://www.alibabacloud.com/help/en/oss/developer-reference/postobject, Appendix:
 * Policy; https://www.alibabacloud.com/help/en/oss/user-guide/0006-00000226), so each pinned value
 * is also in `Fields`.
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
  const pinned: Record<string, string> = {
    'x-oss-object-acl': profile.form.objectAcl,
    'x-oss-forbid-overwrite': 'true',
    ...profile.form.headers,
  }
  const conditions: unknown[] = [
    { bucket: profile.bucket },
    { 'x-oss-credential': credential },
    { 'x-oss-date': date },
    { 'x-oss-signature-version': 'OSS4-HMAC-SHA256' },
    { 'x-oss-security-token': init.securityToken },
    ['content-length-range', profile.form.minSizeBytes, profile.form.maxSizeBytes],
    ['starts-with', '$key', prefix],
    ['eq', '$success_action_status', '200'],
    ...Object.entries(pinned).map(([name, value]) => ['eq', `$${name}`, value]),
  ]
  if (profile.form.contentTypes)
    conditions.push(['in', `$${CONTENT_TYPE_FIELD}`, profile.form.contentTypes])
  const policy = toBase64(
    utf8(JSON.stringify({ expiration: init.expiration.toISOString(), conditions })),
  )
  return {
    Url: objectBaseUrl(ossEndpoint(profile), profile.bucket),
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
      ...pinned,
    },
    KeyPrefix: prefix,
    MinSizeBytes: profile.form.minSizeBytes,
    MaxSizeBytes: profile.form.maxSizeBytes,
    ...(profile.form.contentTypes
      ? { ContentTypes: profile.form.contentTypes, ContentTypeField: CONTENT_TYPE_FIELD }
      : {}),
    Expiration: init.expiration.toISOString().replace(/\.\d{3}Z$/, 'Z'),
  }
}
