/**
 * How far a prefix can confine an OSS request, from OSS's own split of its RAM actions into
 * service-, bucket- and object-level operations
 * (https://www.alibabacloud.com/help/en/oss/user-guide/how-oss-works-with-ram):
 * - `object`: the resource names an object key, which a prefix in the Resource confines;
 * - `prefix-condition`: `oss:ListObjects` acts on the bucket, and only an `oss:Prefix` condition
 *   narrows what it lists;
 * - `bucket`: acts on the bucket as a whole (GetBucketInfo, GetBucketAcl, …): no prefix narrows it;
 * - `service`: acts on the account (ListBuckets): not even a bucket narrows it.
 * @public
 */
export type OssScope = 'object' | 'prefix-condition' | 'bucket' | 'service'

/** The service-level operations of that page: their resource is the account, never a bucket. */
const SERVICE_LEVEL = new Set(['oss:listbuckets', 'oss:listuserdataredundancytransition'])

/** `acs:oss:<region>:<account>:<bucket>[/<key>]`. */
const OSS_RESOURCE = /^acs:oss:[^:]*:[^:]*:[^/]*(\/.*)?$/s

/**
 * The scope of one OSS request, or undefined for another service's action or a resource that is
 * not an OSS one. Actions compare without case, as RAM compares them; object against bucket level
 * is read from the resource, as RAM matches it: an object operation names `bucket/key`, a bucket
 * operation the bare bucket.
 * @public
 */
export const ossScope = (action: string, resource: string): OssScope | undefined => {
  const name = action.toLowerCase()
  if (!name.startsWith('oss:')) return undefined
  if (SERVICE_LEVEL.has(name)) return 'service'
  if (name === 'oss:listobjects') return 'prefix-condition'
  const match = OSS_RESOURCE.exec(resource)
  if (!match) return undefined
  return match[1] !== undefined ? 'object' : 'bucket'
}
