import { toBase64 } from '../../crypto/encoding.ts'
import { md5 } from '../crypto/md5.ts'
import { authorizeOss } from './authorize.ts'
import { checkContentMd5, etagOf } from './etag.ts'
import { checkObjectName } from './object-name.ts'
import { OssEmulatorError } from './oss-errors.ts'
import type { OssRequest } from './oss-request.ts'
import type { Bucket, StoredObject } from './oss-store.ts'
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
  const body = await readBody(request)
  const digest = md5(body)
  checkContentMd5(request.headers['content-md5'], digest)
  const object = storeObject(bucket, key, {
    body,
    etag: etagOf(digest),
    contentType: request.headers['content-type'] ?? 'application/octet-stream',
    lastModified: now,
    meta: metaOf(request.headers),
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
