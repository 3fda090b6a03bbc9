import { md5 } from '../crypto/md5.ts'
import { randomAlnum, type EmulatorDeps } from '../emulator-deps.ts'
import { authorizeOss } from './authorize.ts'
import type { OssCaller } from './authenticate.ts'
import { checkContentMd5, etagOf, multipartEtag } from './etag.ts'
import { checkObjectName } from './object-name.ts'
import { readBody, readForbidOverwrite, refuseOverwrite, storeObject } from './objects.ts'
import { OssEmulatorError } from './oss-errors.ts'
import type { OssRequest } from './oss-request.ts'
import type { Bucket, MultipartUpload } from './oss-store.ts'
import { parseCompleteParts, xmlDocument } from './xml.ts'

/** Every part but the last must be at least this large (OSS: 100 KB). */
const MIN_PART_BYTES = 100 * 1024
const MAX_PART_NUMBER = 10_000

const xml = (root: string, body: Parameters<typeof xmlDocument>[1], status = 200) =>
  new Response(xmlDocument(root, body), { status, headers: { 'Content-Type': 'application/xml' } })

const uploadOf = (bucket: Bucket, key: string, uploadId: string | null): MultipartUpload => {
  const upload = uploadId ? bucket.uploads.get(uploadId) : undefined
  if (!upload || upload.key !== key) throw new OssEmulatorError('NoSuchUpload')
  return upload
}

/** `POST /bucket/key?uploads` (oss:PutObject). @internal */
export const initiateMultipart = (
  request: OssRequest,
  bucket: Bucket,
  key: string,
  caller: OssCaller,
  deps: EmulatorDeps,
): Response => {
  checkObjectName(key)
  authorizeOss(caller?.principal, bucket, 'oss:PutObject', key)
  const uploadId = randomAlnum(deps, 32).toUpperCase()
  bucket.uploads.set(uploadId, {
    uploadId,
    key,
    contentType: request.headers['content-type'] ?? 'application/octet-stream',
    initiated: deps.now(),
    parts: new Map(),
  })
  return xml('InitiateMultipartUploadResult', { Bucket: bucket.name, Key: key, UploadId: uploadId })
}

/** `PUT /bucket/key?partNumber=N&uploadId=X` (oss:PutObject). @internal */
export const uploadPart = async (
  request: OssRequest,
  bucket: Bucket,
  key: string,
  caller: OssCaller,
  now: Date,
): Promise<Response> => {
  authorizeOss(caller?.principal, bucket, 'oss:PutObject', key)
  const upload = uploadOf(bucket, key, request.query.get('uploadId'))
  const partNumber = Number(request.query.get('partNumber'))
  if (!Number.isInteger(partNumber) || partNumber < 1 || partNumber > MAX_PART_NUMBER)
    throw new OssEmulatorError(
      'InvalidArgument',
      'Part number must be an integer between 1 and 10000, inclusive.',
    )
  const body = await readBody(request)
  const digest = md5(body)
  checkContentMd5(request.headers['content-md5'], digest)
  const etag = etagOf(digest)
  upload.parts.set(partNumber, { body, etag, md5: digest, lastModified: now })
  return new Response(null, { status: 200, headers: { ETag: etag } })
}

/**
 * `POST /bucket/key?uploadId=X` with the part list (oss:PutObject). `x-oss-forbid-overwrite: true`
 * refuses a key already taken with FileAlreadyExists, as on PutObject
 * (https://www.alibabacloud.com/help/en/oss/user-guide/0042-00000214). The refused upload is
 * kept, so it can still be completed elsewhere or aborted; the error page does not say.
 * @internal
 */
export const completeMultipart = async (
  request: OssRequest,
  bucket: Bucket,
  key: string,
  caller: OssCaller,
  now: Date,
): Promise<Response> => {
  authorizeOss(caller?.principal, bucket, 'oss:PutObject', key)
  const upload = uploadOf(bucket, key, request.query.get('uploadId'))
  const forbidOverwrite = readForbidOverwrite(request.headers['x-oss-forbid-overwrite'])
  const listed = parseCompleteParts(new TextDecoder().decode(await readBody(request)))
  if (!listed) throw new OssEmulatorError('MalformedXML')
  const chosen = listed.map(({ partNumber, etag }, i) => {
    if (i > 0 && partNumber <= listed[i - 1]!.partNumber)
      throw new OssEmulatorError('InvalidPartOrder')
    const part = upload.parts.get(partNumber)
    if (
      !part ||
      part.etag.toUpperCase() !== (etag.startsWith('"') ? etag : `"${etag}"`).toUpperCase()
    )
      throw new OssEmulatorError('InvalidPart')
    return part
  })
  if (chosen.slice(0, -1).some((p) => p.body.length < MIN_PART_BYTES))
    throw new OssEmulatorError('EntityTooSmall')
  const body = new Uint8Array(chosen.reduce((n, p) => n + p.body.length, 0))
  let offset = 0
  for (const part of chosen) {
    body.set(part.body, offset)
    offset += part.body.length
  }
  refuseOverwrite(bucket, key, forbidOverwrite)
  const object = storeObject(bucket, key, {
    body,
    etag: multipartEtag(chosen.map((p) => p.md5)),
    contentType: upload.contentType,
    lastModified: now,
    meta: {},
    writtenBy: caller!.accessKeyId,
  })
  bucket.uploads.delete(upload.uploadId)
  return xml('CompleteMultipartUploadResult', {
    Location: `/${bucket.name}/${key}`,
    Bucket: bucket.name,
    Key: key,
    ETag: object.etag,
  })
}

/** `DELETE /bucket/key?uploadId=X` (oss:AbortMultipartUpload). @internal */
export const abortMultipart = (
  request: OssRequest,
  bucket: Bucket,
  key: string,
  caller: OssCaller,
): Response => {
  authorizeOss(caller?.principal, bucket, 'oss:AbortMultipartUpload', key)
  const upload = uploadOf(bucket, key, request.query.get('uploadId'))
  bucket.uploads.delete(upload.uploadId)
  return new Response(null, { status: 204 })
}

/** `GET /bucket/key?uploadId=X` (oss:ListParts). @internal */
export const listParts = (
  request: OssRequest,
  bucket: Bucket,
  key: string,
  caller: OssCaller,
): Response => {
  authorizeOss(caller?.principal, bucket, 'oss:ListParts', key)
  const upload = uploadOf(bucket, key, request.query.get('uploadId'))
  const parts = [...upload.parts.entries()].sort(([a], [b]) => a - b)
  return xml('ListPartsResult', {
    Bucket: bucket.name,
    Key: key,
    UploadId: upload.uploadId,
    PartNumberMarker: 0,
    NextPartNumberMarker: parts.at(-1)?.[0] ?? 0,
    MaxParts: 1000,
    IsTruncated: false,
    Part: parts.map(([n, p]) => ({
      PartNumber: n,
      LastModified: p.lastModified.toISOString(),
      ETag: p.etag,
      Size: p.body.length,
    })),
  })
}
