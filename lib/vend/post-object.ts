import type { OssUploadProfile } from '../config/schema.ts'

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
export const CONTENT_TYPE_FIELD = 'x-oss-content-type'

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
