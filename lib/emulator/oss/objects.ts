import { toBase64 } from '../../crypto/encoding.ts'
import { md5 } from '../crypto/md5.ts'
import { authorizeOss } from './authorize.ts'
import { checkContentMd5, etagOf } from './etag.ts'
import { checkObjectName } from './object-name.ts'
import { OssEmulatorError } from './oss-errors.ts'
import type { OssRequest } from './oss-request.ts'
import type { Bucket, ObjectAcl, StoredObject } from './oss-store.ts'
import type { OssCaller } from './authenticate.ts'

/** Largest body the emulator keeps in memory for one request. */
export const MAX_OBJECT_BYTES = 256 * 1024 * 1024

/** Reads a request body with a size cap. @internal */
export const readBody = async (request: OssRequest): Promise<Uint8Array> => {
  const declared = Number(request.headers['content-length'] ?? '0')
  if (declared > MAX_OBJECT_BYTES) throw new OssEmulatorError('EntityTooLarge')
  const body = new Uint8Array(await request.raw.arrayBuffer())
  if (body.length > MAX_OBJECT_BYTES) throw new OssEmulatorError('EntityTooLarge')
  return body
}

const metaOf = (headers: Readonly<Record<string, string>>) =>
  Object.fromEntries(Object.entries(headers).filter(([k]) => k.startsWith('x-oss-meta-')))

const ACLS: readonly ObjectAcl[] = ['default', 'private', 'public-read', 'public-read-write']

/**
 * `x-oss-object-acl` on a write sets the object's ACL as PutObjectACL would; any other value is
 * InvalidArgument (https://www.alibabacloud.com/help/en/oss/developer-reference/putobjectacl).
 * @internal
 */
export const readObjectAcl = (value: string | undefined): ObjectAcl | undefined => {
  if (value === undefined) return undefined
  if (!(ACLS as readonly string[]).includes(value))
    throw new OssEmulatorError('InvalidArgument', `Invalid x-oss-object-acl: ${value}.`)
  return value as ObjectAcl
}

/**
 * `x-oss-forbid-overwrite` takes only true or false
 * (https://www.alibabacloud.com/help/en/oss/user-guide/0017-00000279, and 0006-00000117 for the
 * PostObject field); absent means overwrite.
 * @internal
 */
export const readForbidOverwrite = (value: string | undefined): boolean => {
  if (value === undefined) return false
  const v = value.toLowerCase()
  if (v !== 'true' && v !== 'false')
    throw new OssEmulatorError('InvalidArgument', `Invalid x-oss-forbid-overwrite: ${value}.`)
  return v === 'true'
}

/**
 * FileAlreadyExists (409) when the write forbade overwriting and the key is taken (the error table
 * of https://www.alibabacloud.com/help/en/oss/developer-reference/postobject). Callers check it
 * after their last await, so nothing can land on the key between this and `storeObject`.
 * @internal
 */
export const refuseOverwrite = (bucket: Bucket, key: string, forbid: boolean): void => {
  if (forbid && bucket.objects.has(key)) throw new OssEmulatorError('FileAlreadyExists')
}

/** The download headers PutObject and PostObject keep, by their canonical names. */
const PRESENTATION = ['Cache-Control', 'Content-Disposition', 'Content-Encoding', 'Expires']

/** The presentation headers a write carried, read through `get` by lower-case name. @internal */
export const presentationOf = (
  get: (lowerCaseName: string) => string | undefined,
): Record<string, string> =>
  Object.fromEntries(
    PRESENTATION.flatMap((name) => {
      const value = get(name.toLowerCase())
      return value === undefined ? [] : [[name, value]]
    }),
  )

/** Writes an object (PutObject, PostObject, CompleteMultipartUpload end here). @internal */
export const storeObject = (
  bucket: Bucket,
  key: string,
  init: Omit<StoredObject, 'key'>,
): StoredObject => {
  const object = { key, ...init }
  bucket.objects.set(key, object)
  return object
}

/** `PUT /bucket/key`. @internal */
export const putObject = async (
  request: OssRequest,
  bucket: Bucket,
  key: string,
  caller: OssCaller,
  now: Date,
): Promise<Response> => {
  checkObjectName(key)
  authorizeOss(caller?.principal, bucket, 'oss:PutObject', key)
  const acl = readObjectAcl(request.headers['x-oss-object-acl'])
  const forbidOverwrite = readForbidOverwrite(request.headers['x-oss-forbid-overwrite'])
  const body = await readBody(request)
  const digest = md5(body)
  checkContentMd5(request.headers['content-md5'], digest)
  refuseOverwrite(bucket, key, forbidOverwrite)
  const object = storeObject(bucket, key, {
    body,
    etag: etagOf(digest),
    contentType: request.headers['content-type'] ?? 'application/octet-stream',
    lastModified: now,
    meta: metaOf(request.headers),
    ...(acl ? { acl } : {}),
    headers: presentationOf((name) => request.headers[name]),
    writtenBy: caller!.accessKeyId,
  })
  return new Response(null, {
    status: 200,
    headers: { ETag: object.etag, 'Content-MD5': toBase64(digest) },
  })
}

const objectHeaders = (object: StoredObject) => ({
  ETag: object.etag,
  'Content-Type': object.contentType,
  'Content-Length': String(object.body.length),
  'Last-Modified': object.lastModified.toUTCString(),
  ...object.headers,
  ...object.meta,
})

/** `GET` and `HEAD /bucket/key` (HeadObject is authorized as oss:GetObject). @internal */
export const getObject = (
  request: OssRequest,
  bucket: Bucket,
  key: string,
  caller: OssCaller,
): Response => {
  authorizeOss(caller?.principal, bucket, 'oss:GetObject', key)
  const object = bucket.objects.get(key)
  if (!object) {
    if (request.method === 'HEAD') return new Response(null, { status: 404 })
    throw new OssEmulatorError('NoSuchKey')
  }
  return new Response(request.method === 'HEAD' ? null : object.body.slice(), {
    status: 200,
    headers: objectHeaders(object),
  })
}

/** `DELETE /bucket/key`: 204 whether or not it existed, as on OSS. @internal */
export const deleteObject = (bucket: Bucket, key: string, caller: OssCaller): Response => {
  authorizeOss(caller?.principal, bucket, 'oss:DeleteObject', key)
  bucket.objects.delete(key)
  return new Response(null, { status: 204 })
}
