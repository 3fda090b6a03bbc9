import type { OssUploadProfile } from '../config/schema.ts'
import { formatTimestamp } from '../signing/timestamp.ts'
import { ossEndpoint, type PostObjectForm } from './post-object.ts'
import type { Granted } from './vend-entry.ts'

/**
 * The credentials-URI-compatible body that the official tools parse, in Alibaba's casing; the
 * OpenAPI document describes the same fields (`lib/routes/vend-response.ts`).
 * @internal
 */
export interface CredentialsBody {
  readonly Code: 'Success'
  readonly AccessKeyId: string
  readonly AccessKeySecret: string
  readonly SecurityToken: string
  readonly Expiration: string
  readonly ServerTime: string
  readonly RefreshAfter: string
  readonly RoleSessionName: string
  readonly PolicySha256?: string
}

/** Where an `oss-upload` caller uploads. @internal */
export interface UploadPlace {
  readonly Bucket: string
  readonly Region: string
  readonly Endpoint: string
  readonly Prefix: string
}

/** A plain AccessKey: no SecurityToken, and Expiration says when to fetch again. @internal */
export interface AccessKeyBody {
  readonly Code: 'Success'
  readonly AccessKeyId: string
  readonly AccessKeySecret: string
  readonly Expiration: string
}

/** @internal */
export const credentialsBody = (
  granted: Granted,
  refreshAfter: Date,
  now: Date,
): CredentialsBody => {
  const body: CredentialsBody = {
    Code: 'Success',
    AccessKeyId: granted.accessKeyId,
    AccessKeySecret: granted.accessKeySecret,
    SecurityToken: granted.securityToken,
    Expiration: formatTimestamp(granted.expiration),
    ServerTime: formatTimestamp(now),
    RefreshAfter: formatTimestamp(refreshAfter),
    RoleSessionName: granted.roleSessionName,
  }
  return granted.policySha256 ? { ...body, PolicySha256: granted.policySha256 } : body
}

/** @internal */
export const uploadPlace = (profile: OssUploadProfile, prefix: string): UploadPlace => ({
  Bucket: profile.bucket,
  Region: profile.region,
  Endpoint: ossEndpoint(profile),
  Prefix: prefix,
})

/** The form answer keeps the times and names but swaps the keys for a signed form. @internal */
export const postObjectBody = (body: CredentialsBody, place: UploadPlace, form: PostObjectForm) => {
  const { AccessKeyId: _id, AccessKeySecret: _secret, SecurityToken: _token, ...rest } = body
  return { ...rest, ...place, PostObject: form }
}

/** @internal */
export const accessKeyBody = (key: {
  readonly accessKeyId: string
  readonly accessKeySecret: string
  readonly expiration: Date
}): AccessKeyBody => ({
  Code: 'Success',
  AccessKeyId: key.accessKeyId,
  AccessKeySecret: key.accessKeySecret,
  Expiration: formatTimestamp(key.expiration),
})
