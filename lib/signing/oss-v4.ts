import { webDigests, type Digests } from '../crypto/digests.ts'
import { toHex } from '../crypto/encoding.ts'
import { compareCodeUnits, percentEncode } from './percent-encode.ts'

/** The algorithm name that opens the string to sign and the Authorization header. @internal */
const OSS4 = 'OSS4-HMAC-SHA256'

/** The hashed-payload line when the body is not hashed; ali-oss always sends this. @internal */
const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD'

const isDefaultSigned = (name: string) =>
  name === 'content-type' || name === 'content-md5' || name.startsWith('x-oss-')

/**
 * The AdditionalHeaders list as every SDK normalises it: lowercased, deduplicated, sorted, and
 * without the headers that are signed anyway (content-type, content-md5, x-oss-*).
 * @internal
 */
export const ossV4AdditionalHeaders = (names: readonly string[]): string[] =>
  [...new Set(names.map((n) => n.toLowerCase()))]
    .filter((n) => !isDefaultSigned(n))
    .sort(compareCodeUnits)

/**
 * What OSS V4 signs. `bucket`, `key` and the query are decoded text; header names are lowercase.
 * @internal
 */
export interface OssV4Request {
  readonly method: string
  readonly bucket?: string | undefined
  readonly key?: string | undefined
  readonly query: Iterable<[string, string]>
  readonly headers: Readonly<Record<string, string>>
  readonly additionalHeaders: readonly string[]
}

/**
 * Sorted by encoded name (then value), both percent-encoded; an empty value is the name alone.
 * This is TV-8's rule (Go SDK v2). ali-oss differs in two corners its calls seldom reach: it
 * sorts the raw names with localeCompare (`a` before `B`, `é` beside `e`), and it writes `name=`
 * for a query value that is `''` rather than null (its sub-resources are null, so they agree).
 */
const canonicalQuery = (query: Iterable<[string, string]>) =>
  [...query]
    .map(([name, value]) => [percentEncode(name), percentEncode(value)] as const)
    .sort(([n1, v1], [n2, v2]) => compareCodeUnits(n1, n2) || compareCodeUnits(v1, v2))
    .map(([name, value]) => (value ? `${name}=${value}` : name))
    .join('&')

/**
 * `VERB\nURI\nquery\nheaders\nadditional headers\nhashed payload`. The URI is `/bucket/key`
 * percent-encoded with `/` kept; headers are content-type, content-md5, every x-oss-* and the
 * additional ones, sorted, `name:trimmed value\n`. A listed additional header that is absent is
 * signed with an empty value (ali-oss throws, the Go SDK drops it), so a verifier stays strict.
 * @internal
 */
export const ossV4CanonicalRequest = (input: OssV4Request): string => {
  const { headers } = input
  const additional = ossV4AdditionalHeaders(input.additionalHeaders)
  const signed = new Set([...Object.keys(headers).filter(isDefaultSigned), ...additional])
  const canonicalHeaders = [...signed]
    .sort(compareCodeUnits)
    .map((name) => `${name}:${(headers[name] ?? '').trim()}\n`)
    .join('')
  const path = `/${input.bucket ? `${input.bucket}/` : ''}${input.key ?? ''}`
  return [
    input.method.toUpperCase(),
    percentEncode(path).replace(/%2F/g, '/'),
    canonicalQuery(input.query),
    canonicalHeaders,
    additional.join(';'),
    headers['x-oss-content-sha256'] || UNSIGNED_PAYLOAD,
  ].join('\n')
}

const scope = (yyyymmdd: string, region: string) => `${yyyymmdd}/${region}/oss/aliyun_v4_request`

/** Accepts a `yyyymmddTHHMMSSZ` datetime or a bare `yyyymmdd`. */
const dayOf = (datetime: string) => datetime.split('T')[0]!

/**
 * `OSS4-HMAC-SHA256\n<datetime>\n<yyyymmdd>/<region>/oss/aliyun_v4_request\n<hex sha256>`.
 * `region` is the standard id (`cn-hangzhou`), without the `oss-` that endpoints carry.
 * @internal
 */
export const ossV4StringToSign = async (
  datetime: string,
  region: string,
  canonicalRequest: string,
  digests: Digests = webDigests,
): Promise<string> => {
  const hashed = await digests.sha256Hex(canonicalRequest)
  return `${OSS4}\n${datetime}\n${scope(dayOf(datetime), region)}\n${hashed}`
}

/**
 * HMAC-SHA256 chain `"aliyun_v4" + secret` → date → region → `oss` → `aliyun_v4_request`. It
 * depends only on the day, so a verifier may reuse it for every request of that day.
 * @internal
 */
export const ossV4SigningKey = async (
  accessKeySecret: string,
  yyyymmdd: string,
  region: string,
  digests: Digests = webDigests,
): Promise<Uint8Array<ArrayBuffer>> => {
  let key = await digests.hmacSha256(`aliyun_v4${accessKeySecret}`, yyyymmdd)
  for (const part of [region, 'oss', 'aliyun_v4_request']) key = await digests.hmacSha256(key, part)
  return key
}

/** Lowercase hex HMAC-SHA256 of the string to sign with the day's signing key. @internal */
export const ossV4Signature = async (
  accessKeySecret: string,
  datetime: string,
  region: string,
  stringToSign: string,
  digests: Digests = webDigests,
): Promise<string> => {
  const signingKey = await ossV4SigningKey(accessKeySecret, dayOf(datetime), region, digests)
  return toHex(await digests.hmacSha256(signingKey, stringToSign))
}

const DATETIME = /^\d{8}T\d{6}Z$/

/**
 * The full `Authorization` value. The signing time is the request's own `x-oss-date` header,
 * as in ali-oss, so the signed header and the scope cannot disagree.
 * @example
 * headers['x-oss-date'] = ossV4Date(now)
 * headers.authorization = await ossV4Authorization(request, 'LTAI…', secret, 'cn-hangzhou')
 * @internal
 */
export const ossV4Authorization = async (
  request: OssV4Request,
  accessKeyId: string,
  accessKeySecret: string,
  region: string,
  digests: Digests = webDigests,
): Promise<string> => {
  const datetime = request.headers['x-oss-date']
  if (!datetime || !DATETIME.test(datetime)) {
    throw new TypeError('OSS V4 signing needs an x-oss-date header of the form yyyymmddTHHMMSSZ')
  }
  const canonical = ossV4CanonicalRequest(request)
  const stringToSign = await ossV4StringToSign(datetime, region, canonical, digests)
  const signature = await ossV4Signature(accessKeySecret, datetime, region, stringToSign, digests)
  const additional = ossV4AdditionalHeaders(request.additionalHeaders)
  const credential = `Credential=${accessKeyId}/${scope(dayOf(datetime), region)}`
  const additionalPart = additional.length > 0 ? `,AdditionalHeaders=${additional.join(';')}` : ''
  return `${OSS4} ${credential}${additionalPart},Signature=${signature}`
}

/** The parts of an OSS V4 `Authorization` header. @internal */
export interface OssV4AuthorizationParts {
  readonly accessKeyId: string
  readonly date: string
  readonly region: string
  readonly additionalHeaders: readonly string[]
  readonly signature: string
}

// The SDKs join fields with a bare comma; the OSS docs print ", ". Either is accepted, nothing else.
const AUTHORIZATION = new RegExp(
  '^OSS4-HMAC-SHA256 Credential=([^/,\\s]+)/(\\d{8})/([a-z0-9-]+)/oss/aliyun_v4_request' +
    "(?:, ?AdditionalHeaders=([a-z0-9!#$%&'*+.^_`|~-]+(?:;[a-z0-9!#$%&'*+.^_`|~-]+)*))?" +
    ', ?Signature=([0-9a-f]{64})$',
)

/**
 * Splits an OSS V4 `Authorization` header, or returns undefined when it is not exactly the form
 * the SDKs send: product `oss`, lowercase hex signature, AdditionalHeaders lowercase, sorted and
 * without repeats (OSS rejects an empty element such as `host;`).
 * @internal
 */
export const parseOssV4Authorization = (header: string): OssV4AuthorizationParts | undefined => {
  const match = AUTHORIZATION.exec(header)
  if (!match) return undefined
  const [, accessKeyId, date, region, additional, signature] = match
  const additionalHeaders = additional ? additional.split(';') : []
  for (let i = 1; i < additionalHeaders.length; i++) {
    if (compareCodeUnits(additionalHeaders[i - 1]!, additionalHeaders[i]!) >= 0) return undefined
  }
  return {
    accessKeyId: accessKeyId!,
    date: date!,
    region: region!,
    additionalHeaders,
    signature: signature!,
  }
}

/**
 * The PostObject V4 `x-oss-signature` form field: hex HMAC-SHA256, with the day's signing key,
 * over the base64 policy text itself (there is no canonical request).
 * @internal
 */
export const ossV4PostSignature = (
  accessKeySecret: string,
  yyyymmdd: string,
  region: string,
  policyBase64: string,
  digests: Digests = webDigests,
): Promise<string> => ossV4Signature(accessKeySecret, yyyymmdd, region, policyBase64, digests)

/** `yyyymmddTHHMMSSZ` in UTC, the form of `x-oss-date` and of the V4 scope's datetime. @internal */
export const ossV4Date = (date: Date): string =>
  date
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replace(/[-:]/g, '')
