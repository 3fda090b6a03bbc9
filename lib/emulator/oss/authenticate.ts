import { timingSafeEqual } from '../../crypto/timing-safe-equal.ts'
import { ossV1CanonicalResource, ossV1Signature, ossV1StringToSign } from './oss-v1.ts'
import {
  ossV4CanonicalRequest,
  ossV4Signature,
  ossV4StringToSign,
  parseOssV4Authorization,
} from '../../signing/oss-v4.ts'
import type { Principal, World } from '../world.ts'
import { OssEmulatorError } from './oss-errors.ts'
import type { OssRequest } from './oss-request.ts'

/** OSS's documented tolerance between the request time and its own clock. */
const OSS_SKEW_MS = 15 * 60 * 1000

/** Who signed a request; undefined for an anonymous one. @internal */
export type OssCaller = { readonly principal: Principal; readonly accessKeyId: string } | undefined

const V4_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/

const parseV4Date = (text: string | undefined): Date | undefined => {
  const m = text ? V4_DATE.exec(text) : null
  return m ? new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!)) : undefined
}

const checkSkew = (date: Date | undefined, now: Date) => {
  if (!date || Number.isNaN(date.getTime()))
    throw new OssEmulatorError('AccessDenied', 'OSS authentication requires a valid Date.')
  if (Math.abs(date.getTime() - now.getTime()) > OSS_SKEW_MS)
    throw new OssEmulatorError('RequestTimeTooSkewed')
}

/** STS credentials are usable only with their own, unexpired token. @internal */
export const checkSecurityToken = async (
  world: World,
  principal: Principal,
  token: string | undefined,
  now: Date,
) => {
  if (principal.kind === 'user') {
    if (token !== undefined) throw new OssEmulatorError('InvalidSecurityToken')
    return
  }
  if (token === undefined)
    throw new OssEmulatorError(
      'InvalidAccessKeyId',
      'The security token is required for STS AccessKeyId.',
    )
  if (!(await timingSafeEqual(token, principal.securityToken))) {
    throw new OssEmulatorError(
      world.findSessionByToken(token)
        ? 'AccessKeyIdAndSecurityTokenNotMatch'
        : 'InvalidSecurityToken',
    )
  }
  if (principal.expiresAt.getTime() <= now.getTime())
    throw new OssEmulatorError('SecurityTokenExpired')
}

const findKey = (world: World, accessKeyId: string) => {
  const key = world.findAccessKey(accessKeyId)
  if (!key) throw new OssEmulatorError('InvalidAccessKeyId')
  return key
}

const verifyV1 = async (
  world: World,
  request: OssRequest,
  header: string,
  now: Date,
): Promise<OssCaller> => {
  const m = /^OSS ([^:\s]+):(\S+)$/.exec(header)
  if (!m) throw new OssEmulatorError('InvalidArgument', 'Authorization header is invalid.')
  const key = findKey(world, m[1]!)
  const date = request.headers['x-oss-date'] ?? request.headers.date
  checkSkew(date === undefined ? undefined : new Date(date), now)
  const resource = ossV1CanonicalResource(request.bucket, request.key, request.query.entries())
  const expected = await ossV1Signature(
    key.secret,
    ossV1StringToSign({ method: request.method, headers: request.headers, resource }),
  )
  if (!(await timingSafeEqual(expected, m[2]!))) throw new OssEmulatorError('SignatureDoesNotMatch')
  await checkSecurityToken(world, key.principal, request.headers['x-oss-security-token'], now)
  return { principal: key.principal, accessKeyId: m[1]! }
}

const verifyV4 = async (
  world: World,
  request: OssRequest,
  header: string,
  now: Date,
  bucketRegion: string | undefined,
): Promise<OssCaller> => {
  const auth = parseOssV4Authorization(header)
  if (!auth) throw new OssEmulatorError('InvalidArgument', 'Authorization header is invalid.')
  const key = findKey(world, auth.accessKeyId)
  const datetime = request.headers['x-oss-date']
  checkSkew(parseV4Date(datetime), now)
  if (datetime!.slice(0, 8) !== auth.date)
    throw new OssEmulatorError('InvalidArgument', 'Invalid credential date.')
  if (bucketRegion !== undefined && auth.region !== bucketRegion)
    throw new OssEmulatorError(
      'InvalidArgument',
      `Invalid signing region in Authorization header, expected ${bucketRegion}.`,
    )
  if (request.headers['x-oss-content-sha256'] === undefined)
    throw new OssEmulatorError(
      'InvalidArgument',
      'Missing required header for this request: x-oss-content-sha256.',
    )
  const canonical = ossV4CanonicalRequest({
    method: request.method,
    ...(request.bucket === undefined ? {} : { bucket: request.bucket }),
    ...(request.key === undefined ? {} : { key: request.key }),
    query: request.query.entries(),
    headers: request.headers,
    additionalHeaders: auth.additionalHeaders,
  })
  const expected = await ossV4Signature(
    key.secret,
    datetime!,
    auth.region,
    await ossV4StringToSign(datetime!, auth.region, canonical),
  )
  if (!(await timingSafeEqual(expected, auth.signature)))
    throw new OssEmulatorError('SignatureDoesNotMatch')
  await checkSecurityToken(world, key.principal, request.headers['x-oss-security-token'], now)
  return { principal: key.principal, accessKeyId: auth.accessKeyId }
}

/** The query parameters of a V4 presigned URL, which the object operations must not see as sub-resources. @internal */
export const isPresignParameter = (name: string): boolean =>
  name === 'x-oss-signature-version' ||
  name === 'x-oss-credential' ||
  name === 'x-oss-date' ||
  name === 'x-oss-expires' ||
  name === 'x-oss-signature' ||
  name === 'x-oss-security-token' ||
  name === 'x-oss-additional-headers'

const CREDENTIAL = /^([^/\s]+)\/(\d{8})\/([a-z0-9-]+)\/oss\/aliyun_v4_request$/

/** x-oss-expires is seconds from x-oss-date, 1 to 604800 (https://help.aliyun.com/en/oss/user-guide/0002-00000232). */
const MAX_URL_SECONDS = 604_800

/**
 * A V4 presigned URL (https://www.alibabacloud.com/help/en/oss/developer-reference/add-signatures-to-urls):
 * the header form's canonical request over the query minus x-oss-signature, with the payload
 * `UNSIGNED-PAYLOAD` and the request's own content-type and x-oss-* headers, so a URL signed for
 * one key or content type fails for any other. It expires at x-oss-date + x-oss-expires, and an
 * x-oss-date more than 15 minutes ahead of OSS's clock is refused like a skewed header.
 */
const verifyV4Query = async (
  world: World,
  request: OssRequest,
  now: Date,
  bucketRegion: string | undefined,
): Promise<OssCaller> => {
  const q = request.query
  if (q.get('x-oss-signature-version') !== 'OSS4-HMAC-SHA256')
    throw new OssEmulatorError('InvalidArgument', 'Invalid signature version.')
  const credential = CREDENTIAL.exec(q.get('x-oss-credential') ?? '')
  const datetime = q.get('x-oss-date') ?? undefined
  const date = parseV4Date(datetime)
  const expiresText = q.get('x-oss-expires') ?? ''
  const signature = q.get('x-oss-signature') ?? ''
  if (!credential) throw new OssEmulatorError('InvalidArgument', 'Invalid credential.')
  if (!date) throw new OssEmulatorError('InvalidArgument', 'Invalid x-oss-date.')
  const expires = /^\d{1,6}$/.test(expiresText) ? Number(expiresText) : 0
  if (expires < 1 || expires > MAX_URL_SECONDS)
    throw new OssEmulatorError('InvalidArgument', 'Invalid x-oss-expires.')
  if (!/^[0-9a-f]{64}$/.test(signature))
    throw new OssEmulatorError('InvalidArgument', 'Invalid x-oss-signature.')
  const [, accessKeyId, day, region] = credential
  if (datetime!.slice(0, 8) !== day)
    throw new OssEmulatorError('InvalidArgument', 'Invalid credential date.')
  if (bucketRegion !== undefined && region !== bucketRegion)
    throw new OssEmulatorError(
      'InvalidArgument',
      `Invalid signing region in x-oss-credential, expected ${bucketRegion}.`,
    )
  if (date.getTime() - now.getTime() > OSS_SKEW_MS)
    throw new OssEmulatorError('RequestTimeTooSkewed')
  if (now.getTime() > date.getTime() + expires * 1000)
    throw new OssEmulatorError('AccessDenied', 'Request has expired.')
  const key = findKey(world, accessKeyId!)
  const additional = q.get('x-oss-additional-headers')
  const canonical = ossV4CanonicalRequest({
    method: request.method,
    ...(request.bucket === undefined ? {} : { bucket: request.bucket }),
    ...(request.key === undefined ? {} : { key: request.key }),
    query: [...q.entries()].filter(([name]) => name !== 'x-oss-signature'),
    headers: request.headers,
    additionalHeaders: additional ? additional.split(';') : [],
  })
  const expected = await ossV4Signature(
    key.secret,
    datetime!,
    region!,
    await ossV4StringToSign(datetime!, region!, canonical),
  )
  if (!(await timingSafeEqual(expected, signature)))
    throw new OssEmulatorError('SignatureDoesNotMatch')
  await checkSecurityToken(world, key.principal, q.get('x-oss-security-token') ?? undefined, now)
  return { principal: key.principal, accessKeyId: accessKeyId! }
}

/**
 * Verifies an OSS signature: a header, V1 (`OSS ak:sig`) or V4 (`OSS4-HMAC-SHA256 …`), or a V4
 * presigned URL's query. The AccessKey exists, the request time is within 15 minutes (a URL: not
 * past its expiry), the signature matches what we compute from the request as received, and STS
 * keys carry their own unexpired token. Neither: anonymous.
 * @internal
 */
export const authenticateOss = async (
  world: World,
  request: OssRequest,
  now: Date,
  bucketRegion: string | undefined,
): Promise<OssCaller> => {
  const header = request.headers.authorization
  if (header === undefined) {
    if (request.query.has('x-oss-signature-version'))
      return verifyV4Query(world, request, now, bucketRegion)
    return undefined
  }
  if (header.startsWith('OSS4-HMAC-SHA256 '))
    return verifyV4(world, request, header, now, bucketRegion)
  if (header.startsWith('OSS ')) return verifyV1(world, request, header, now)
  throw new OssEmulatorError('InvalidArgument', 'Authorization header is invalid.')
}
