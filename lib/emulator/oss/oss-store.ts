/**
 * An object ACL as PutObjectACL names them; `default` inherits the bucket's
 * (https://www.alibabacloud.com/help/en/oss/developer-reference/putobjectacl).
 * @internal
 */
export type ObjectAcl = 'default' | 'private' | 'public-read' | 'public-read-write'

/** One stored object. @internal */
export interface StoredObject {
  readonly key: string
  readonly body: Uint8Array
  /** Quoted, upper-case hex MD5 (or `MD5-of-MD5s-N` for multipart), as OSS prints it. */
  readonly etag: string
  readonly contentType: string
  readonly lastModified: Date
  readonly meta: Readonly<Record<string, string>>
  /** Absent for an upload that named none: the object then follows the bucket's ACL. */
  readonly acl?: ObjectAcl
  /** Cache-Control, Content-Disposition, Content-Encoding, Expires as uploaded, replayed on GET. */
  readonly headers?: Readonly<Record<string, string>>
  /** Who wrote it: the AccessKey's principal, for tests that prove where a caller could write. */
  readonly writtenBy: string
}

/** A bucket CORS rule (PutBucketCors), the subset browsers need. @public */
export interface CorsRule {
  readonly allowedOrigins: readonly string[]
  readonly allowedMethods: readonly string[]
  readonly allowedHeaders: readonly string[]
  readonly exposeHeaders: readonly string[]
  readonly maxAgeSeconds: number
}

/** An upload in progress. @internal */
export interface MultipartUpload {
  readonly uploadId: string
  readonly key: string
  readonly contentType: string
  readonly initiated: Date
  readonly parts: Map<
    number,
    {
      readonly body: Uint8Array
      readonly etag: string
      readonly md5: Uint8Array
      readonly lastModified: Date
    }
  >
}

/** @internal */
export interface Bucket {
  readonly name: string
  readonly accountId: string
  /** Without the `oss-` prefix, as V4 signatures carry it: `cn-hangzhou`. */
  readonly region: string
  readonly cors: readonly CorsRule[]
  readonly objects: Map<string, StoredObject>
  readonly uploads: Map<string, MultipartUpload>
}

/**
 * The emulator's buckets, in memory. Browser uploads need CORS that exposes `ETag` (ali-oss reads
 * each part's ETag to complete a multipart upload), so that is the default rule's shape; tests
 * pass their own to prove the failure.
 * @public
 */
export const createOssStore = () => {
  const buckets = new Map<string, Bucket>()
  return {
    createBucket(
      accountId: string,
      name: string,
      options: { region: string; cors?: readonly CorsRule[] },
    ): Bucket {
      const bucket: Bucket = {
        name,
        accountId,
        region: options.region.replace(/^oss-/, ''),
        cors: options.cors ?? [],
        objects: new Map(),
        uploads: new Map(),
      }
      buckets.set(name, bucket)
      return bucket
    },
    findBucket: (name: string) => buckets.get(name),
    /** Every key in a bucket, as an administrator's listing would show it. */
    keys: (name: string): string[] => [...(buckets.get(name)?.objects.keys() ?? [])].sort(),
    object: (bucket: string, key: string) => buckets.get(bucket)?.objects.get(key),
  }
}

/** @public */
export type OssStore = ReturnType<typeof createOssStore>

/** A CORS rule fit for browser uploads from `origins`, exposing ETag for multipart. @public */
export const browserUploadCors = (origins: readonly string[]): CorsRule => ({
  allowedOrigins: origins,
  allowedMethods: ['GET', 'PUT', 'POST', 'DELETE', 'HEAD'],
  allowedHeaders: ['*'],
  exposeHeaders: ['ETag', 'x-oss-request-id'],
  maxAgeSeconds: 600,
})
