import type { MiddlewareHandler } from 'hono'

/** @internal */
export type RequestIdVariables = { requestId: string }

/**
 * Gives every request an id of our own making, on `c.var.requestId` and in `X-Request-Id`. An
 * incoming `X-Request-Id` is ignored: audit lines must not carry caller-chosen ids.
 * @internal
 */
export const requestId = (
  generate: () => string,
): MiddlewareHandler<{ Variables: RequestIdVariables }> =>
  async function assignRequestId(c, next) {
    const id = generate()
    c.set('requestId', id)
    c.header('X-Request-Id', id)
    await next()
  }
