import { Hono } from 'hono/tiny'
import type { Credvend } from '../credvend.ts'
import type { AppBindings } from '../http/bindings.ts'

/**
 * `/readyz` everywhere (details only where internal routes are on), and `/openapi.json` and
 * `/metrics` only on the internal function and in local mode.
 * @internal
 */
export const internalRoutes = (credvend: Credvend) => {
  const routes = new Hono<AppBindings>()
  routes.get('/readyz', async (c) => {
    const state = await credvend.readiness(c.env?.providerInput)
    // Only the internal function names its source or the problem.
    const internal = credvend.internal
    const body = state.ready
      ? { status: 'ready', ...(internal ? { source: state.source } : {}) }
      : { status: 'not ready', ...(internal ? { reason: state.reason } : {}) }
    return c.json(body, state.ready ? 200 : 503, { 'Cache-Control': 'no-store' })
  })
  // Loaded on first ask: most instances never serve it, and the FC bundle ships it as a file of
  // its own.
  routes.get('/openapi.json', async (c) =>
    credvend.internal ? c.json((await import('../generated/openapi.ts')).default) : c.notFound(),
  )
  routes.get('/metrics', (c) =>
    credvend.internal
      ? c.text(credvend.metrics.render(), 200, { 'Content-Type': 'text/plain; version=0.0.4' })
      : c.notFound(),
  )
  return routes
}
