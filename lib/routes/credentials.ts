import { Hono, type Context } from 'hono'
import * as z from 'zod'
import { bodyLimit } from 'hono/body-limit'
import type { Credvend } from '../credvend.ts'
import type { AppBindings } from '../http/bindings.ts'
import { VendError } from '../errors.ts'
import { formatTimestamp } from '../signing/timestamp.ts'
import { ossEndpoint, signPostObject } from '../vend/post-object.ts'
import type { VendResult } from '../vend/vend-service.ts'
import { uploadCors } from './upload-cors.ts'
import { vendBody, type VendBody } from './vend-body.ts'

const MAX_BODY_BYTES = 16 * 1024
const reportBody = z.strictObject({ AccessKeyId: z.string().regex(/^[A-Za-z0-9.]{8,128}$/) })
const CREDENTIAL_PARAMS = /^(access_?token|token|api_?key|key|jwt|bearer|authorization|password|secret)$/i

const refuseQuery = (c: Context) => {
  if (!c.req.url.includes('?')) return
  const names = [...new URL(c.req.url).searchParams.keys()]
  if (names.some((n) => CREDENTIAL_PARAMS.test(n))) throw new VendError('ERR_CREDENTIALS_IN_QUERY', 'credentials are not accepted in the query string; use the Authorization header')
  if (names.length > 0) throw new VendError('ERR_BAD_REQUEST', 'this route takes no query parameters')
}

const readBody = async (c: Context): Promise<VendBody> => {
  const text = await c.req.text()
  if (text === '') return {}
  const type = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase()
  if (type !== 'application/json') throw new VendError('ERR_UNSUPPORTED_MEDIA_TYPE', 'send the body as application/json')
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    throw new VendError('ERR_BAD_REQUEST', 'the body is not valid JSON')
  }
  const parsed = vendBody.safeParse(json)
  if (!parsed.success) {
    // Paths and reasons only: a rejected body may carry something the caller should not have sent.
    const reasons = parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`)
    throw new VendError('ERR_BAD_REQUEST', `invalid body: ${reasons.join('; ')}`)
  }
  return parsed.data
}

/** The credentials-URI-compatible response (PRODUCT.md §4.1), in Alibaba's casing. */
const credentialsResponse = (result: VendResult, now: Date) => ({
  Code: 'Success',
  AccessKeyId: result.accessKeyId,
  AccessKeySecret: result.accessKeySecret,
  SecurityToken: result.securityToken,
  Expiration: formatTimestamp(result.expiration),
  ServerTime: formatTimestamp(now),
  RefreshAfter: formatTimestamp(result.refreshAfter),
  RoleSessionName: result.roleSessionName,
  ...(result.policySha256 ? { PolicySha256: result.policySha256 } : {}),
})

/** `oss-upload` adds where to upload; a form answer swaps the credentials for a signed PostObject. */
const uploadResponse = async (result: VendResult, form: boolean, now: Date) => {
  const base = credentialsResponse(result, now)
  const { profile } = result
  if (profile.kind !== 'oss-upload' || result.prefix === undefined) return base
  const where = { Bucket: profile.bucket, Region: profile.region, Endpoint: ossEndpoint(profile), Prefix: result.prefix }
  if (!form || !profile.form) return { ...base, ...where }
  const { AccessKeyId: _id, AccessKeySecret: _secret, SecurityToken: _token, ...rest } = base
  const postObject = await signPostObject({ ...result, profile: { ...profile, form: profile.form }, prefix: result.prefix, now })
  return { ...rest, ...where, PostObject: postObject }
}

/**
 * `GET|POST /v1/credentials/{profile}`: authenticate, parse the optional narrowing body, vend.
 * @internal
 */
export const credentialRoutes = (credvend: Credvend, now: () => Date) => {
  const routes = new Hono<AppBindings>()
  const limit = bodyLimit({
    maxSize: MAX_BODY_BYTES,
    onError: () => {
      throw new VendError('ERR_BODY_TOO_LARGE', `the body exceeds ${MAX_BODY_BYTES} bytes`)
    },
  })
  const handle = async (c: Context<AppBindings>, body: VendBody) => {
    const caller = await credvend.authenticate(c.req.header('authorization'))
    const name = c.req.param('profile')!
    if (credvend.isAccessKeyProfile(name)) {
      if (body.form || body.parameters || body.durationSeconds !== undefined) throw new VendError('ERR_BAD_REQUEST', 'access-key profiles take no narrowing')
      const key = await credvend.vendAccessKey(caller, name, c.var.requestId, c.env?.providerInput)
      // No SecurityToken: this is a plain AccessKey, and Expiration says when to fetch again.
      return c.json({ Code: 'Success', AccessKeyId: key.accessKeyId, AccessKeySecret: key.accessKeySecret, Expiration: formatTimestamp(key.expiration) }, 200, { 'Cache-Control': 'no-store' })
    }
    const result = await credvend.vend(caller, c.req.param('profile')!, body, c.var.requestId, c.env?.providerInput)
    return c.json(await uploadResponse(result, body.form === true, now()), 200, { 'Cache-Control': 'no-store' })
  }
  const cors = uploadCors(credvend)
  routes.options('/:profile', cors.preflight)
  routes.use('/:profile', cors.headers)
  routes.get('/:profile', async (c) => {
    refuseQuery(c)
    return handle(c, {})
  })
  routes.post('/:profile/report-invalid', limit, async (c) => {
    refuseQuery(c)
    const caller = await credvend.authenticate(c.req.header('authorization'))
    const parsed = reportBody.safeParse(await c.req.json().catch(() => undefined))
    if (!parsed.success) throw new VendError('ERR_BAD_REQUEST', 'send {"AccessKeyId": "…"} of the pair that was refused')
    const name = c.req.param('profile')
    if (!credvend.isAccessKeyProfile(name)) throw new VendError('ERR_NOT_FOUND', 'not found')
    const key = await credvend.reportInvalid(caller, name, parsed.data.AccessKeyId, c.var.requestId, c.env?.providerInput)
    return c.json({ Code: 'Success', Refreshed: key.refreshed, AccessKeyId: key.accessKeyId, AccessKeySecret: key.accessKeySecret, Expiration: formatTimestamp(key.expiration) }, 200, { 'Cache-Control': 'no-store' })
  })
  routes.post('/:profile', limit, async (c) => {
    refuseQuery(c)
    return handle(c, await readBody(c))
  })
  return routes
}
