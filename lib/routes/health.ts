import { Hono } from 'hono/tiny'

/**
 * `GET /healthz`: liveness only. It touches no provider and no upstream, so a slow STS never
 * makes the platform restart a healthy instance.
 * @internal
 */
export const healthRoutes = new Hono().get('/healthz', (c) =>
  c.json({ status: 'ok' }, 200, { 'Cache-Control': 'no-store' }),
)
