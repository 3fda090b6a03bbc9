import type { OssUploadProfile } from '../config/schema.ts'
import { toBase64, utf8 } from '../crypto/encoding.ts'
import { ossV4Date, ossV4PostSignature } from '../signing/oss-v4.ts'
import {
  CONTENT_TYPE_FIELD,
  objectBaseUrl,
  ossEndpoint,
  type PostObjectForm,
} from './post-object.ts'

// Only a form request needs this signer: the FC bundle keeps it in a file of its own
// (functions/node/tools/bundle-fc.ts), which has its own copy of what it imports, so it throws
// nothing and holds no state.

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
