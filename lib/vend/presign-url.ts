import type { OssUploadProfile } from '../config/schema.ts'
import { digestsOf, type NativeDigests } from '../crypto/digests.ts'
import { utf8 } from '../crypto/encoding.ts'
import { formatTimestamp } from '../signing/timestamp.ts'
import {
  ossV4CanonicalRequest,
  ossV4Date,
  ossV4Signature,
  ossV4StringToSign,
} from '../signing/oss-v4.ts'
import { percentEncode } from '../signing/percent-encode.ts'
import { objectBaseUrl, ossEndpoint } from './post-object.ts'
import type { UploadPlace } from './responses.ts'
import type { Granted } from './vend-entry.ts'

// The FC bundle loads this file only when a caller asks for a URL (functions/node/tools/bundle-fc.ts
// keeps it apart), so it throws nothing of its own: a refusal comes back as text and vend-service
// throws the one VendError class the error handler knows.

/** What a caller asks to be presigned (already parsed by the route). @public */
export interface PresignRequest {
  readonly method: 'PUT' | 'GET'
  readonly key: string
  readonly contentType?: string | undefined
}

/**
 * The longest a presigned URL lives, in seconds, however long the session behind it: a URL is a
 * bearer credential anyone who sees it can use, so it is kept short even when the session is not.
 * OSS itself accepts up to 604800 (https://help.aliyun.com/en/oss/user-guide/0002-00000232).
 * @public
 */
export const PRESIGN_MAX_SECONDS = 3600

/** OSS object names are 1 to 1023 bytes of UTF-8. */
const MAX_KEY_BYTES = 1023

/** `..` as a segment, `%`, `\` and `:`: the shapes the generated session policy denies (lib/policy/oss-presets.ts). */
const HAZARDOUS_KEY = /(^|\/)\.\.(\/|$)|[%\\:]/
const hasControl = (text: string) => {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i)
    if (code < 0x20 || code === 0x7f) return true
  }
  return false
}

/** The presets whose RAM actions let the URL's request through (multipart includes oss:PutObject). */
const PRESETS_FOR = {
  PUT: ['put', 'multipart'],
  GET: ['read'],
} as const satisfies Record<
  PresignRequest['method'],
  readonly OssUploadProfile['actions'][number][]
>

/**
 * Why this request cannot be presigned for this caller, or undefined. Checked before any STS work,
 * so a refused key costs no call; the same shapes would be refused by OSS under the session policy
 * anyway, but a URL that can only fail is no answer.
 * @internal
 */
export const presignRefusal = (
  profile: Pick<OssUploadProfile, 'actions'>,
  prefix: string,
  request: PresignRequest,
): string | undefined => {
  if (!PRESETS_FOR[request.method].some((preset) => profile.actions.includes(preset)))
    return `this profile does not allow ${request.method} on objects`
  if (request.method === 'PUT' && request.contentType === undefined)
    return 'a PUT URL needs a contentType: it is signed, and the upload must send it as Content-Type'
  if (request.method === 'GET' && request.contentType !== undefined)
    return 'contentType applies to PUT URLs only'
  const { key } = request
  if (!key.startsWith(prefix) || key.length === prefix.length)
    return `the key must name an object under your prefix ${prefix}`
  if (utf8(key).length > MAX_KEY_BYTES) return `the key exceeds ${MAX_KEY_BYTES} bytes`
  if (HAZARDOUS_KEY.test(key) || hasControl(key))
    return 'the key may not contain a .. segment, %, \\, : or control characters'
  return undefined
}

/** The URL and what the client must send with it. @public */
export interface PresignedUrl {
  readonly Url: string
  readonly Method: 'PUT' | 'GET'
  readonly Key: string
  /** Headers the request must carry exactly as given: they are part of the signature. */
  readonly Headers: Readonly<Record<string, string>>
  /** When the URL stops working: never after the credentials that signed it. */
  readonly Expiration: string
}

/** The presign answer: where, and the URL; no AccessKeyId, AccessKeySecret or SecurityToken field. @public */
export interface PresignedUrlBody extends UploadPlace {
  readonly Code: 'Success'
  /** The URL's expiry, as in `PresignedUrl`. */
  readonly Expiration: string
  readonly ServerTime: string
  readonly RoleSessionName: string
  readonly PolicySha256?: string | undefined
  readonly PresignedUrl: PresignedUrl
}

/**
 * Signs an OSS V4 URL (https://www.alibabacloud.com/help/en/oss/developer-reference/add-signatures-to-urls)
 * for one object with the vended STS credentials. The query carries x-oss-signature-version,
 * x-oss-credential, x-oss-date, x-oss-expires (seconds from x-oss-date) and x-oss-security-token,
 * all signed; the canonical request is the header form's with the payload `UNSIGNED-PAYLOAD`. A
 * PUT signs `content-type`, so OSS refuses the URL with any other type. The security token is in
 * the URL because OSS needs it to accept STS credentials; the secret is not.
 * Returns the reason instead when the session has under a second left.
 * @internal
 */
export const presignUrl = async (init: {
  readonly profile: Pick<OssUploadProfile, 'bucket' | 'region' | 'endpoint'>
  readonly place: UploadPlace
  readonly request: PresignRequest
  readonly granted: Granted
  readonly now: Date
  readonly digests: NativeDigests | undefined
}): Promise<PresignedUrlBody | string> => {
  const { profile, request, granted, now } = init
  // The URL must die with the credentials: OSS refuses an expired token whatever x-oss-expires says.
  const seconds = Math.min(
    Math.floor((granted.expiration.getTime() - now.getTime()) / 1000),
    PRESIGN_MAX_SECONDS,
  )
  if (seconds < 1) return 'the credentials expire within a second: ask again'
  const region = profile.region.replace(/^oss-/, '')
  const date = ossV4Date(now)
  const query: [string, string][] = [
    ['x-oss-signature-version', 'OSS4-HMAC-SHA256'],
    [
      'x-oss-credential',
      `${granted.accessKeyId}/${date.slice(0, 8)}/${region}/oss/aliyun_v4_request`,
    ],
    ['x-oss-date', date],
    ['x-oss-expires', String(seconds)],
    ['x-oss-security-token', granted.securityToken],
  ]
  const headers: Record<string, string> =
    request.contentType === undefined ? {} : { 'content-type': request.contentType }
  const digests = digestsOf(init.digests)
  const canonical = ossV4CanonicalRequest({
    method: request.method,
    bucket: profile.bucket,
    key: request.key,
    query,
    headers,
    additionalHeaders: [],
  })
  const stringToSign = await ossV4StringToSign(date, region, canonical, digests)
  const signature = await ossV4Signature(
    granted.accessKeySecret,
    date,
    region,
    stringToSign,
    digests,
  )
  query.push(['x-oss-signature', signature])
  const path = percentEncode(request.key).replace(/%2F/g, '/')
  const search = query.map(([n, v]) => `${n}=${percentEncode(v)}`).join('&')
  const { place } = init
  // OSS counts x-oss-expires from x-oss-date, which has no milliseconds.
  const expiration = formatTimestamp(new Date(Math.floor(now.getTime() / 1000 + seconds) * 1000))
  return {
    Code: 'Success',
    Expiration: expiration,
    ServerTime: formatTimestamp(now),
    RoleSessionName: granted.roleSessionName,
    PolicySha256: granted.policySha256 || undefined,
    // A cold path: the spread costs nothing here (the hot-path bodies in responses.ts list fields).
    ...place,
    PresignedUrl: {
      Url: `${objectBaseUrl(ossEndpoint(profile), profile.bucket)}/${path}?${search}`,
      Method: request.method,
      Key: request.key,
      Headers: request.contentType === undefined ? {} : { 'Content-Type': request.contentType },
      Expiration: expiration,
    },
  }
}
