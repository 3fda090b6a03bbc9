import { Hono } from 'hono'
import type { Credvend } from '../credvend.ts'
import type { AppBindings } from '../http/bindings.ts'
import openapi from '../generated/openapi.ts'

const metricsText = (credvend: Credvend): string => {
  const s = credvend.stats()
  const lines = [
    '# HELP credvend_vends_total Vend requests by outcome (ok or an error code).',
    '# TYPE credvend_vends_total counter',
    ...Object.entries(s.outcomes).map(([outcome, n]) => `credvend_vends_total{outcome="${outcome}"} ${n}`),
    '# HELP credvend_sts_calls_total AssumeRole attempts made.',
    '# TYPE credvend_sts_calls_total counter',
    `credvend_sts_calls_total ${s.stsCalls}`,
    '# HELP credvend_login_sts_calls_total GetCallerIdentity calls made for signed Alibaba logins.',
    '# TYPE credvend_login_sts_calls_total counter',
    `credvend_login_sts_calls_total ${s.loginStsCalls}`,
    '# HELP credvend_cache_entries Vended credentials currently cached.',
    '# TYPE credvend_cache_entries gauge',
    `credvend_cache_entries ${s.cacheEntries}`,
    '# HELP credvend_circuit_open 1 while the STS circuit is open.',
    '# TYPE credvend_circuit_open gauge',
    `credvend_circuit_open ${s.circuit === 'open' ? 1 : 0}`,
    '# HELP credvend_token_cache_entries Verified caller tokens remembered.',
    '# TYPE credvend_token_cache_entries gauge',
    `credvend_token_cache_entries ${s.tokenCacheEntries}`,
  ]
  return `${lines.join('\n')}\n`
}

/**
 * `/readyz` everywhere (details only where internal routes are on), and `/openapi.json` and
 * `/metrics` only on the internal function and in local mode (PRODUCT.md §4.3).
 * @internal
 */
export const internalRoutes = (credvend: Credvend) => {
  const routes = new Hono<AppBindings>()
  routes.get('/readyz', async (c) => {
    const state = await credvend.readiness(c.env?.providerInput)
    // Only the internal function names its source or the problem (PRODUCT.md §4.3).
    const internal = credvend.loaded.config.exposeInternalRoutes
    const body = state.ready
      ? { status: 'ready', ...(internal ? { source: state.source } : {}) }
      : { status: 'not ready', ...(internal ? { reason: state.reason } : {}) }
    return c.json(body, state.ready ? 200 : 503, { 'Cache-Control': 'no-store' })
  })
  routes.get('/openapi.json', (c) => (credvend.loaded.config.exposeInternalRoutes ? c.json(openapi) : c.notFound()))
  routes.get('/metrics', (c) =>
    credvend.loaded.config.exposeInternalRoutes
      ? c.text(metricsText(credvend), 200, { 'Content-Type': 'text/plain; version=0.0.4' })
      : c.notFound(),
  )
  return routes
}
