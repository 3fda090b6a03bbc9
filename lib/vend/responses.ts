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
  readonly PolicySha256?: string | undefined
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

// Each body is one object literal with every field in its final order: no spread per request,
// and every answer of a kind shares one shape, which JSON.stringify walks fastest.

/** @internal */
export const credentialsBody = (
  granted: Granted,
  refreshAfter: Date,
  now: Date,
): CredentialsBody => ({
  Code: 'Success',
  AccessKeyId: granted.accessKeyId,
  AccessKeySecret: granted.accessKeySecret,
  SecurityToken: granted.securityToken,
  Expiration: formatTimestamp(granted.expiration),
  ServerTime: formatTimestamp(now),
  RefreshAfter: formatTimestamp(refreshAfter),
  RoleSessionName: granted.roleSessionName,
  // Left out of the JSON when there is no session policy.
  PolicySha256: granted.policySha256 || undefined,
})

/** Credentials and where to upload with them. @internal */
export const uploadBody = (
  granted: Granted,
  refreshAfter: Date,
  now: Date,
  place: UploadPlace,
): CredentialsBody & UploadPlace => ({
  Code: 'Success',
  AccessKeyId: granted.accessKeyId,
  AccessKeySecret: granted.accessKeySecret,
  SecurityToken: granted.securityToken,
  Expiration: formatTimestamp(granted.expiration),
  ServerTime: formatTimestamp(now),
  RefreshAfter: formatTimestamp(refreshAfter),
  RoleSessionName: granted.roleSessionName,
  PolicySha256: granted.policySha256 || undefined,
  Bucket: place.Bucket,
  Region: place.Region,
  Endpoint: place.Endpoint,
  Prefix: place.Prefix,
})

/** @internal */
export const uploadPlace = (
  profile: Pick<OssUploadProfile, 'bucket' | 'region' | 'endpoint'>,
  prefix: string,
): UploadPlace => ({
  Bucket: profile.bucket,
  Region: profile.region,
  Endpoint: ossEndpoint(profile),
  Prefix: prefix,
})

/** The form answer keeps the times and names but swaps the keys for a signed form. @internal */
export interface PostObjectBody extends Omit<
  CredentialsBody,
  'AccessKeyId' | 'AccessKeySecret' | 'SecurityToken'
> {
  readonly Bucket: string
  readonly Region: string
  readonly Endpoint: string
  readonly Prefix: string
  readonly PostObject: PostObjectForm
}

/** @internal */
export const postObjectBody = (
  granted: Granted,
  refreshAfter: Date,
  now: Date,
  place: UploadPlace,
  form: PostObjectForm,
): PostObjectBody => ({
  Code: 'Success',
  Expiration: formatTimestamp(granted.expiration),
  ServerTime: formatTimestamp(now),
  RefreshAfter: formatTimestamp(refreshAfter),
  RoleSessionName: granted.roleSessionName,
  PolicySha256: granted.policySha256 || undefined,
  Bucket: place.Bucket,
  Region: place.Region,
  Endpoint: place.Endpoint,
  Prefix: place.Prefix,
  PostObject: form,
})

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
