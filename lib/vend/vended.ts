import type { AuditFields } from '../audit/audited.ts'
import type { PresignedUrlBody } from './presign-url.ts'
import type { AccessKeyBody, CredentialsBody, PostObjectBody, UploadPlace } from './responses.ts'

/** Fields every answer reports to the audit wrapper. */
interface Answer {
  /** hit, shared (another instance's vend), miss or stale (served while upstream is down). */
  readonly cache: 'hit' | 'shared' | 'miss' | 'stale'
  /** Fields of the audit line (never a secret). */
  readonly audit: AuditFields
}

/**
 * One vend's answer, already in the shape its route sends: the kind says which, so no layer
 * above the services needs the profile.
 * @public
 */
export type Vended = Answer &
  (
    | { readonly kind: 'sts'; readonly body: CredentialsBody }
    | { readonly kind: 'oss-upload'; readonly body: CredentialsBody & UploadPlace }
    | { readonly kind: 'post-object'; readonly body: PostObjectBody }
    | { readonly kind: 'presigned-url'; readonly body: PresignedUrlBody }
    | { readonly kind: 'access-key'; readonly body: AccessKeyBody }
  )

/** What the STS path answers. @internal */
export type StsVended = Exclude<Vended, { readonly kind: 'access-key' }>

/** What the access-key path answers. @internal */
export type KeyVended = Extract<Vended, { readonly kind: 'access-key' }>
