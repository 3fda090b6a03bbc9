import type { Context, MiddlewareHandler } from 'hono'
import type { Credvend } from '../credvend.ts'
import type { AppBindings } from '../http/bindings.ts'

const ALLOWED_METHODS = new Set(['GET', 'POST'])

/** Only an exact, listed origin; `null` (sandboxed frames, file: pages) never matches. */
const allowedOrigin = (credvend: Credvend, c: Context): string | undefined => {
  const origin = c.req.header('origin')
  return origin !== undefined && credvend.corsOrigins(c.req.param('profile') ?? '').includes(origin)
    ? origin
    : undefined
}

/**
 * CORS for browser uploads: `oss-upload` profiles only, exact origins, never
 * `Access-Control-Allow-Credentials` (callers send a bearer token, not cookies). A refused
 * preflight is the same bare 204 whether the profile is unknown, of another kind, or the origin
 * is not listed, so preflights cannot enumerate profiles.
 * @internal
 */
export const uploadCors = (credvend: Credvend) => {
  const preflight = (c: Context<AppBindings>) => {
    const origin = allowedOrigin(credvend, c)
    const method = c.req.header('access-control-request-method') ?? ''
    c.header('Vary', 'Origin')
    c.header('Cache-Control', 'no-store')
    if (origin === undefined || !ALLOWED_METHODS.has(method)) return c.body(null, 204)
    c.header('Access-Control-Allow-Origin', origin)
    c.header('Access-Control-Allow-Methods', 'GET, POST')
    c.header('Access-Control-Allow-Headers', 'authorization, content-type')
    c.header('Access-Control-Max-Age', '600')
    return c.body(null, 204)
  }
  /**
   * On every answer to a listed origin, errors included, so the page can read the error code. Set
   * before the handler runs, so the response is built with them rather than copied afterwards.
   */
  const headers: MiddlewareHandler<AppBindings> = async (c, next) => {
    c.header('Vary', 'Origin')
    const origin = allowedOrigin(credvend, c)
    if (origin !== undefined) {
      c.header('Access-Control-Allow-Origin', origin)
      c.header('Access-Control-Expose-Headers', 'X-Request-Id')
    }
    await next()
  }
  return { preflight, headers }
}
