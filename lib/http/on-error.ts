import type { Context } from 'hono'
import { isVendError } from '../errors.ts'
import { HTTP_STATUS } from './status.ts'

const quoted = (text: string) => `"${text.replace(/["\\]/g, '\\$&')}"`

/** RFC 6750 §3: no `error` attribute when no credentials were sent at all. */
const wwwAuthenticate = (code: string, message: string) =>
  code === 'ERR_AUTH_MISSING'
    ? 'Bearer realm="credvend"'
    : `Bearer realm="credvend", error="invalid_token", error_description=${quoted(message)}`

/**
 * `app.onError`: a VendError becomes its status and `{ Code, Message, RequestId }`; anything else
 * becomes a 500 with a fixed message. The thrown error's cause and upstream detail stay out of
 * the body by construction.
 * @internal
 */
export const onError = (error: unknown, c: Context): Response => {
  const requestId = c.res.headers.get('X-Request-Id') ?? c.req.header('X-Request-Id') ?? ''
  const headers: Record<string, string> = { 'Cache-Control': 'no-store', 'X-Request-Id': requestId }
  if (isVendError(error)) {
    if (error.retryAfterSeconds !== undefined)
      headers['Retry-After'] = String(error.retryAfterSeconds)
    if (HTTP_STATUS[error.code] === 401)
      headers['WWW-Authenticate'] = wwwAuthenticate(error.code, error.message)
    return c.json(
      { Code: error.code, Message: error.message, RequestId: requestId },
      HTTP_STATUS[error.code],
      headers,
    )
  }
  return c.json(
    { Code: 'ERR_INTERNAL', Message: 'internal error', RequestId: requestId },
    500,
    headers,
  )
}
