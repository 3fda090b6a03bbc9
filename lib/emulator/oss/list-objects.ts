import { authorizeOss } from './authorize.ts'
import type { OssCaller } from './authenticate.ts'
import { OssEmulatorError } from './oss-errors.ts'
import type { OssRequest } from './oss-request.ts'
import type { Bucket } from './oss-store.ts'
import { xmlDocument } from './xml.ts'

/**
 * `GET /bucket` — ListObjects (V1, `marker`) and ListObjectsV2 (`list-type=2`,
 * `continuation-token`/`start-after`), both authorized as oss:ListObjects with `oss:Prefix` set to
 * the requested prefix ('' when none), so a prefix condition refuses listing the root.
 * @internal
 */
export const listObjects = (request: OssRequest, bucket: Bucket, caller: OssCaller): Response => {
  const q = request.query
  const prefix = q.get('prefix') ?? ''
  const delimiter = q.get('delimiter') ?? ''
  authorizeOss(caller?.principal, bucket, 'oss:ListObjects', undefined, {
    'oss:Prefix': prefix,
    'oss:Delimiter': delimiter,
  })
  const v2 = q.get('list-type') === '2'
  const maxKeys = Number(q.get('max-keys') ?? '100')
  if (!Number.isInteger(maxKeys) || maxKeys < 1 || maxKeys > 1000)
    throw new OssEmulatorError('InvalidArgument', 'max-keys must be between 1 and 1000.')
  const after = v2
    ? (q.get('continuation-token') ?? q.get('start-after') ?? '')
    : (q.get('marker') ?? '')
  const contents: Array<{ key: string; size: number; etag: string; lastModified: Date }> = []
  const prefixes = new Set<string>()
  let truncated = false
  let last = ''
  for (const key of [...bucket.objects.keys()].sort()) {
    if (!key.startsWith(prefix) || key <= after) continue
    if (contents.length + prefixes.size >= maxKeys) {
      truncated = true
      break
    }
    const cut = delimiter ? key.indexOf(delimiter, prefix.length) : -1
    if (cut !== -1) prefixes.add(key.slice(0, cut + delimiter.length))
    else {
      const o = bucket.objects.get(key)!
      contents.push({ key, size: o.body.length, etag: o.etag, lastModified: o.lastModified })
    }
    last = key
  }
  const common = {
    Name: bucket.name,
    Prefix: prefix,
    MaxKeys: maxKeys,
    Delimiter: delimiter,
    IsTruncated: truncated,
    Contents: contents.map((c) => ({
      Key: c.key,
      LastModified: c.lastModified.toISOString(),
      ETag: c.etag,
      Type: 'Normal',
      Size: c.size,
      StorageClass: 'Standard',
      Owner: { ID: bucket.accountId, DisplayName: bucket.accountId },
    })),
    CommonPrefixes: [...prefixes].map((p) => ({ Prefix: p })),
  }
  const paging = v2
    ? {
        KeyCount: contents.length + prefixes.size,
        ...(truncated ? { NextContinuationToken: last } : {}),
      }
    : { Marker: q.get('marker') ?? '', ...(truncated ? { NextMarker: last } : {}) }
  return new Response(xmlDocument('ListBucketResult', { ...common, ...paging }), {
    headers: { 'Content-Type': 'application/xml' },
  })
}
