import type { Context } from 'hono'
import { Hono } from 'hono/tiny'
import * as z from '../zod.ts'
import { bodyLimit } from 'hono/body-limit'
import type { Credvend } from '../credvend.ts'
import type { AppBindings } from '../http/bindings.ts'
import { VendError } from '../errors.ts'
import { uploadCors } from './upload-cors.ts'
import { vendBody, type VendBody } from './vend-body.ts'

const MAX_BODY_BYTES = 16 * 1024
const reportBody = z.strictObject({
  AccessKeyId: z.string().check(z.regex(/^[A-Za-z0-9.]{8,128}$/)),
})
const CREDENTIAL_PARAMS =
  /^(access_?token|token|api_?key|key|jwt|bearer|authorization|password|secret)$/i

const refuseQuery = (c: Context) => {
  if (!c.req.url.includes('?')) return
  const names = [...new URL(c.req.url).searchParams.keys()]
  if (names.some((n) => CREDENTIAL_PARAMS.test(n)))
    throw new VendError(
      'ERR_CREDENTIALS_IN_QUERY',
      'credentials are not accepted in the query string; use the Authorization header',
    )
  if (names.length > 0)
    throw new VendError('ERR_BAD_REQUEST', 'this route takes no query parameters')
}

const readBody = async (c: Context): Promise<VendBody> => {
  const text = await c.req.text()
  if (text === '') return {}
  const type = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase()
  if (type !== 'application/json')
    throw new VendError('ERR_UNSUPPORTED_MEDIA_TYPE', 'send the body as application/json')
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

/**
 * `GET|POST /v1/credentials/{profile}`: authenticate, parse the optional narrowing body, vend.
 * @internal
 */
export const credentialRoutes = (credvend: Credvend) => {
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
    const vended = await credvend.vend(caller, name, body, c.var.requestId, c.env?.providerInput)
    return c.json(vended.body, 200, { 'Cache-Control': 'no-store' })
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
    if (!parsed.success)
      throw new VendError(
        'ERR_BAD_REQUEST',
        'send {"AccessKeyId": "…"} of the pair that was refused',
      )
    const name = c.req.param('profile')
    const reported = await credvend.reportInvalid(
      caller,
      name,
      parsed.data.AccessKeyId,
      c.var.requestId,
      c.env?.providerInput,
    )
    return c.json(reported.body, 200, { 'Cache-Control': 'no-store' })
  })
  routes.post('/:profile', limit, async (c) => {
    refuseQuery(c)
    return handle(c, await readBody(c))
  })
  return routes
}
