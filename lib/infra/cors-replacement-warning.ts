import type { InfraBucket } from './infra-model.ts'
import { terraformName } from './terraform-name.ts'

/**
 * What an operator must read before the bucket's CORS is applied. OSS PutBucketCors sets the
 * bucket's whole CORS configuration, so applying credvend's rule deletes every other rule the
 * bucket has (another app's origins, a CDN's); merging would need the live rules, which an offline
 * render cannot read. Printed by `infra render` and written into the Terraform beside the resource.
 * @public
 */
export const corsReplacementWarning = (bucket: InfraBucket): string =>
  `WARNING: bucket ${bucket.name}: OSS PutBucketCors REPLACES ALL of the bucket's CORS rules. ` +
  `Applying ${bucket.corsFile}, or alicloud_oss_bucket_cors.${terraformName(bucket.name)} in ` +
  `terraform/, deletes every rule the bucket has now. Read them first (GetBucketCors, or the OSS ` +
  `console). If none must stay, set the Terraform variable ${corsConsentVariable(bucket)} = true; ` +
  `otherwise leave it false and add credvend's rule to the bucket's own rules yourself.`

/** The Terraform variable an operator sets to let a bucket's CORS rules be replaced. @public */
export const corsConsentVariable = (bucket: InfraBucket): string =>
  `replace_cors_rules_${terraformName(bucket.name)}`
