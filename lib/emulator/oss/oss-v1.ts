import { hmacSha1Base64 } from '../../crypto/hmac.ts'
import { compareCodeUnits } from '../../signing/percent-encode.ts'

/**
 * Query parameters that OSS V1 signs as sub-resources. ali-oss has no such list: each API call
 * names its own `subres`, and only those are signed while the rest of the query is not. A verifier
 * sees one merged query, so it needs the union of every name ali-oss passes as `subres`, plus the
 * list the Go SDK v2 signer keeps (oss/signer/v1.go). Any `x-oss-*` parameter is signed as well.
 * @internal
 */
export const OSS_V1_SUB_RESOURCES: ReadonlySet<string> = new Set([
  'acl',
  'append',
  'asyncFetch',
  'bucketInfo',
  'callback',
  'callback-var',
  'cloudboxes',
  'comp',
  'continuation-token',
  'cors',
  'delete',
  'encryption',
  'inventory',
  'inventoryId',
  'lifecycle',
  'live',
  'location',
  'logging',
  'objectMeta',
  'partNumber',
  'policy',
  'position',
  'referer',
  'regionList',
  'requestPayment',
  'response-cache-control',
  'response-content-disposition',
  'response-content-encoding',
  'response-content-language',
  'response-content-type',
  'response-expires',
  'restore',
  'security-token',
  'sequential',
  'stat',
  'status',
  'symlink',
  'tagging',
  'uploadId',
  'uploads',
  'versionId',
  'versioning',
  'versions',
  'vod',
  'website',
  'worm',
  'wormExtend',
  'wormId',
])

const isSubResource = (name: string) => OSS_V1_SUB_RESOURCES.has(name) || name.startsWith('x-oss-')

/**
 * The CanonicalizedResource: `/bucket/key`, then the sub-resources sorted by name, an empty value
 * written as the name alone. The key and values are the decoded text, not percent-encoded: ali-oss
 * signs `/b/hello world.txt` for a request sent as `/b/hello%20world.txt`. A repeated name keeps
 * its first value, as Go's `url.Values.Get` does.
 * @example
 * ossV1CanonicalResource('b', 'k', [['uploadId', 'x'], ['partNumber', '1'], ['prefix', 'p']])
 * // '/b/k?partNumber=1&uploadId=x'
 * @internal
 */
export const ossV1CanonicalResource = (
  bucket: string | undefined,
  key: string | undefined,
  query: Iterable<[string, string]>,
): string => {
  const signed = new Map<string, string>()
  for (const [name, value] of query) {
    if (isSubResource(name) && !signed.has(name)) signed.set(name, value)
  }
  const subResources = [...signed.keys()]
    .sort(compareCodeUnits)
    .map((name) => (signed.get(name) ? `${name}=${signed.get(name)}` : name))
    .join('&')
  const path = `/${bucket ? `${bucket}/` : ''}${key ?? ''}`
  return subResources ? `${path}?${subResources}` : path
}

/**
 * What OSS V1 signs. Header names are lowercase; `resource` comes from ossV1CanonicalResource.
 * @internal
 */
export interface OssV1Input {
  readonly method: string
  readonly headers: Readonly<Record<string, string>>
  readonly resource: string
}

/**
 * `VERB\nContent-MD5\nContent-Type\nDate\n` + the `x-oss-*` headers (sorted, `name:trimmed value\n`)
 * + the resource. ali-oss never sends a `Date` header: it sends `x-oss-date` in RFC 1123 form and
 * puts that in the date line (and, being `x-oss-*`, in the headers too). The Go SDK v2 sends
 * `Date` only. So the date line is `x-oss-date` when present, else `Date`.
 * @internal
 */
export const ossV1StringToSign = (input: OssV1Input): string => {
  const { headers } = input
  const ossHeaders = Object.keys(headers)
    .filter((name) => name.startsWith('x-oss-'))
    .sort(compareCodeUnits)
    .map((name) => `${name}:${headers[name]!.trim()}\n`)
    .join('')
  const date = headers['x-oss-date'] ?? headers['date'] ?? ''
  return [
    input.method.toUpperCase(),
    headers['content-md5'] ?? '',
    headers['content-type'] ?? '',
    `${date}\n${ossHeaders}${input.resource}`,
  ].join('\n')
}

/**
 * Base64 HMAC-SHA1 of the string to sign; the header is `OSS <AccessKeyId>:<signature>`.
 * @example
 * headers.authorization = `OSS ${accessKeyId}:${await ossV1Signature(secret, ossV1StringToSign(input))}`
 * @internal
 */
export const ossV1Signature = (accessKeySecret: string, stringToSign: string): Promise<string> =>
  hmacSha1Base64(accessKeySecret, stringToSign)

/**
 * The PostObject V1 `Signature` form field: base64 HMAC-SHA1 over the base64 policy text itself
 * (what ali-oss `calculatePostSignature` returns).
 * @internal
 */
export const ossV1PostSignature = (
  accessKeySecret: string,
  policyBase64: string,
): Promise<string> => hmacSha1Base64(accessKeySecret, policyBase64)
