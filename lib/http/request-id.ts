import type { MiddlewareHandler } from 'hono'

/** @internal */
export type RequestIdVariables = { requestId: string }

/** What a platform's request id may look like to be carried into logs and headers as is. */
const PLATFORM_ID = /^[A-Za-z0-9-]{1,128}$/

/**
 * Gives every request an id, on `c.var.requestId` and in `X-Request-Id`: the platform's own
 * (Function Compute's, handed in by the entry) when there is one, else one of our own making. An
 * incoming `X-Request-Id` is ignored: audit lines must not carry caller-chosen ids.
 * @internal
 */
export const requestId = (
  generate: () => string,
): MiddlewareHandler<{
  Bindings: { readonly platformRequestId?: string }
  Variables: RequestIdVariables
}> =>
  async function assignRequestId(c, next) {
    const platform = c.env?.platformRequestId
    const id = platform !== undefined && PLATFORM_ID.test(platform) ? platform : generate()
    c.set('requestId', id)
    c.header('X-Request-Id', id)
    await next()
  }
