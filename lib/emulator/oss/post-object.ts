import { md5 } from '../crypto/md5.ts'
import { timingSafeEqual } from '../../crypto/timing-safe-equal.ts'
import { ossV1PostSignature } from './oss-v1.ts'
import { ossV4PostSignature } from '../../signing/oss-v4.ts'
import type { World } from '../world.ts'
import { checkSecurityToken } from './authenticate.ts'
import { authorizeOss } from './authorize.ts'
import { etagOf } from './etag.ts'
import { checkObjectName } from './object-name.ts'
import {
  MAX_OBJECT_BYTES,
  presentationOf,
  readForbidOverwrite,
  readObjectAcl,
  refuseOverwrite,
  storeObject,
} from './objects.ts'
import { OssEmulatorError } from './oss-errors.ts'
import type { OssRequest } from './oss-request.ts'
import type { Bucket } from './oss-store.ts'
import { xmlDocument } from './xml.ts'

type Fields = ReadonlyMap<string, string>

const fail = (condition: unknown) =>
  new OssEmulatorError(
    'AccessDenied',
    `Invalid according to Policy: Policy Condition failed: ${JSON.stringify(condition)}`,
  )

const decodePolicy = (policy: string): { expiration: string; conditions: unknown[] } => {
  try {
    const json = JSON.parse(
      new TextDecoder().decode(Uint8Array.from(atob(policy), (c) => c.charCodeAt(0))),
    ) as unknown
    if (
      typeof json === 'object' &&
      json !== null &&
      typeof (json as { expiration?: unknown }).expiration === 'string' &&
      Array.isArray((json as { conditions?: unknown }).conditions)
    ) {
      return json as { expiration: string; conditions: unknown[] }
    }
  } catch {
    // fall through: whatever it was, it is not a policy
  }
  throw new OssEmulatorError('InvalidPolicyDocument')
}

/**
 * Every condition must hold for the submitted fields; the size range is checked against the file.
 * A condition on a field the form does not carry fails whatever its operator
 * (https://www.alibabacloud.com/help/en/oss/user-guide/0006-00000226), so naming a field in a
 * policy makes the browser send it. Fields no condition names are not refused: OSS documents no
 * rule like S3's that every field be named (see the faithfulness table).
 */
const checkConditions = (
  conditions: readonly unknown[],
  fields: Fields,
  bucket: string,
  size: number,
) => {
  const field = (name: string) =>
    name.toLowerCase() === 'bucket' ? bucket : fields.get(name.toLowerCase())
  for (const c of conditions) {
    if (Array.isArray(c)) {
      const [op, name, value, max] = c as [unknown, unknown, unknown, unknown]
      if (op === 'content-length-range') {
        if (typeof name !== 'number' || typeof value !== 'number')
          throw new OssEmulatorError('InvalidPolicyDocument')
        if (size < name) throw new OssEmulatorError('EntityTooSmall')
        if (size > value) throw new OssEmulatorError('EntityTooLarge')
        continue
      }
      if (typeof name !== 'string' || !name.startsWith('$') || max !== undefined)
        throw new OssEmulatorError('InvalidPolicyDocument')
      const actual = field(name.slice(1))
      const ok =
        op === 'eq'
          ? typeof value === 'string' && actual === value
          : op === 'starts-with'
            ? typeof value === 'string' && actual?.startsWith(value) === true
            : op === 'in'
              ? Array.isArray(value) && actual !== undefined && value.includes(actual)
              : op === 'not-in'
                ? Array.isArray(value) && actual !== undefined && !value.includes(actual)
                : undefined
      if (ok === undefined) throw new OssEmulatorError('InvalidPolicyDocument')
      if (!ok) throw fail(c)
    } else if (typeof c === 'object' && c !== null) {
      for (const [name, value] of Object.entries(c)) if (field(name) !== value) throw fail(c)
    } else throw new OssEmulatorError('InvalidPolicyDocument')
  }
}

const mentions = (conditions: readonly unknown[], name: string) =>
  conditions.some((c) =>
    Array.isArray(c)
      ? c[1] === `$${name}`
      : typeof c === 'object' && c !== null && Object.hasOwn(c, name),
  )

/**
 * `POST /bucket` with multipart/form-data (PostObject): the policy's signature (V4
 * `x-oss-signature` or V1 `Signature`) is verified with the key's secret, then the policy's
 * expiration and every condition, the STS token (which the policy must name), RAM authorization
 * of oss:PutObject on the key, exactly as for a PUT, and last `x-oss-forbid-overwrite`. The
 * object keeps the form's `x-oss-object-acl` and download headers.
 * @internal
 */
export const postObject = async (
  world: World,
  request: OssRequest,
  bucket: Bucket,
  now: Date,
): Promise<Response> => {
  if (Number(request.headers['content-length'] ?? '0') > MAX_OBJECT_BYTES + 64 * 1024)
    throw new OssEmulatorError('EntityTooLarge')
  let form: FormData
  try {
    form = await request.raw.formData()
  } catch {
    throw new OssEmulatorError('MalformedPOSTRequest')
  }
  const fields = new Map<string, string>()
  let file: File | undefined
  for (const [name, value] of form.entries()) {
    if (name.toLowerCase() === 'file' && typeof value !== 'string') file = value
    else if (typeof value === 'string') fields.set(name.toLowerCase(), value)
  }
  if (!file) throw new OssEmulatorError('InvalidArgument', 'The file field is required.')
  const policy = fields.get('policy')
  if (policy === undefined)
    throw new OssEmulatorError('AccessDenied', 'Anonymous access is forbidden for this operation.')
  let accessKeyId: string
  let expected: (secret: string) => Promise<string>
  let given: string | undefined
  if (fields.get('x-oss-signature-version') === 'OSS4-HMAC-SHA256') {
    const credential = /^([^/]+)\/(\d{8})\/([a-z0-9-]+)\/oss\/aliyun_v4_request$/.exec(
      fields.get('x-oss-credential') ?? '',
    )
    const date = fields.get('x-oss-date') ?? ''
    if (!credential || !date.startsWith(credential[2]!))
      throw new OssEmulatorError('InvalidArgument', 'Invalid x-oss-credential or x-oss-date.')
    if (credential[3] !== bucket.region)
      throw new OssEmulatorError(
        'InvalidArgument',
        `Invalid signing region, expected ${bucket.region}.`,
      )
    accessKeyId = credential[1]!
    expected = (secret) => ossV4PostSignature(secret, credential[2]!, credential[3]!, policy)
    given = fields.get('x-oss-signature')
  } else {
    accessKeyId = fields.get('ossaccesskeyid') ?? ''
    expected = (secret) => ossV1PostSignature(secret, policy)
    given = fields.get('signature')
  }
  const key = world.findAccessKey(accessKeyId)
  if (!key) throw new OssEmulatorError('InvalidAccessKeyId')
  if (given === undefined || !(await timingSafeEqual(await expected(key.secret), given)))
    throw new OssEmulatorError('SignatureDoesNotMatch')
  const document = decodePolicy(policy)
  const expires = Date.parse(document.expiration)
  if (Number.isNaN(expires)) throw new OssEmulatorError('InvalidPolicyDocument')
  if (expires <= now.getTime())
    throw new OssEmulatorError('AccessDenied', 'Invalid according to Policy: Policy expired.')
  const body = new Uint8Array(await file.arrayBuffer())
  checkConditions(document.conditions, fields, bucket.name, body.length)
  await checkSecurityToken(world, key.principal, fields.get('x-oss-security-token'), now)
  if (key.principal.kind === 'session' && !mentions(document.conditions, 'x-oss-security-token')) {
    throw new OssEmulatorError(
      'AccessDenied',
      'Invalid according to Policy: the policy must name x-oss-security-token.',
    )
  }
  const objectKey = (fields.get('key') ?? '').replaceAll('${filename}', file.name)
  checkObjectName(objectKey)
  // The ACL is not authorized as oss:PutObjectAcl: the PostObject page asks for oss:PutObject
  // only; whether OSS wants more is unconfirmed (faithfulness table).
  authorizeOss(key.principal, bucket, 'oss:PutObject', objectKey)
  const acl = readObjectAcl(fields.get('x-oss-object-acl'))
  const forbidOverwrite = readForbidOverwrite(fields.get('x-oss-forbid-overwrite'))
  refuseOverwrite(bucket, objectKey, forbidOverwrite)
  const digest = md5(body)
  const object = storeObject(bucket, objectKey, {
    body,
    etag: etagOf(digest),
    // The PostObject page's form-field table ranks x-oss-content-type first, then the file part's
    // own Content-Type, then the Content-Type field; a policy on the field alone limits nothing.
    // A part sent without a Content-Type reads as text/plain (the WHATWG multipart parser's
    // default), so only an empty `file.type` falls through (faithfulness table).
    contentType:
      fields.get('x-oss-content-type') ??
      (file.type || fields.get('content-type')) ??
      'application/octet-stream',
    lastModified: now,
    meta: Object.fromEntries([...fields].filter(([k]) => k.startsWith('x-oss-meta-'))),
    ...(acl ? { acl } : {}),
    headers: presentationOf((name) => fields.get(name)),
    writtenBy: accessKeyId,
  })
  const status = Number(fields.get('success_action_status') ?? '204')
  const headers = { ETag: object.etag }
  if (status === 201) {
    return new Response(
      xmlDocument('PostResponse', {
        Bucket: bucket.name,
        ETag: object.etag,
        Location: `/${bucket.name}/${objectKey}`,
        Key: objectKey,
      }),
      { status: 201, headers: { ...headers, 'Content-Type': 'application/xml' } },
    )
  }
  return new Response(null, { status: status === 200 ? 200 : 204, headers })
}
