import { Hono } from 'hono/tiny'
import { bodyLimit } from 'hono/body-limit'
import type { Credvend } from '../credvend.ts'
import { VendError } from '../errors.ts'
import type { AppBindings } from '../http/bindings.ts'
import { formatTimestamp } from '../signing/timestamp.ts'

const MAX_BODY_BYTES = 16 * 1024

/**
 * `POST /v1/session/alibaba`: a signed STS GetCallerIdentity in, a short-lived credvend session
 * token out (`Authorization: Bearer cvs_…` on the vend routes). 404 where it is not enabled.
 * @internal
 */
export const sessionRoutes = (credvend: Credvend) => {
  const routes = new Hono<AppBindings>()
  routes.post(
    '/alibaba',
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: () => {
        throw new VendError('ERR_BODY_TOO_LARGE', `the body exceeds ${MAX_BODY_BYTES} bytes`)
      },
    }),
    async (c) => {
      if ([...new URL(c.req.url).searchParams.keys()].length > 0)
        throw new VendError('ERR_BAD_REQUEST', 'this route takes no query parameters')
      const type = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase()
      if (type !== 'application/json')
        throw new VendError('ERR_UNSUPPORTED_MEDIA_TYPE', 'send the body as application/json')
      let body: unknown
      try {
        body = JSON.parse(await c.req.text())
      } catch {
        throw new VendError('ERR_BAD_REQUEST', 'the body is not valid JSON')
      }
      const { token, expiration, identity } = await credvend.loginAlibaba(
        body,
        c.var.requestId,
        c.env?.sourceAddress,
      )
      return c.json(
        {
          Code: 'Success',
          SessionToken: token,
          Expiration: formatTimestamp(expiration),
          CallerId: `alibaba.${identity.account}.${identity.role}`,
        },
        200,
        { 'Cache-Control': 'no-store' },
      )
    },
  )
  return routes
}
