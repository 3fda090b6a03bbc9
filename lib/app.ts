import type { MiddlewareHandler } from 'hono'
import { Hono } from 'hono/tiny'
import { isVendError, VendError } from './errors.ts'
import { onError } from './http/on-error.ts'
import { requestId } from './http/request-id.ts'
import type { AppBindings } from './http/bindings.ts'
import { healthRoutes } from './routes/health.ts'
import { credentialRoutes } from './routes/credentials.ts'
import { internalRoutes } from './routes/internal.ts'
import { sessionRoutes } from './routes/session.ts'
import type { CoreDeps } from './runtime/deps.ts'
import type { Credvend } from './credvend.ts'

/** What createApp needs from its runtime. @public */
export type AppDeps = CoreDeps

/**
 * The credvend HTTP app, free of runtime specifics; `assemble` builds it and each entry (Node,
 * FC, Workers) serves `app.fetch`.
 * @internal
 */
export const createApp = (deps: AppDeps, credvend: Credvend) => {
  const app = new Hono<AppBindings>()
  app.use(requestId(deps.randomId))
  // Before anything checks a token or calls STS for a login: bounded per source address.
  const limitAddress: MiddlewareHandler<AppBindings> = async (c, next) => {
    await credvend.limitSourceAddress(c.env?.sourceAddress)
    await next()
  }
  app.use('/v1/*', limitAddress)
  // /readyz may ask the source credential chain (STS, the metadata service): limited the same way.
  app.use('/readyz', limitAddress)
  app.route('/', healthRoutes)
  app.route('/v1/credentials', credentialRoutes(credvend))
  app.route('/v1/session', sessionRoutes(credvend))
  app.route('/', internalRoutes(credvend))
  app.notFound((c) => {
    credvend.metrics.error('ERR_NOT_FOUND')
    return onError(new VendError('ERR_NOT_FOUND', 'not found'), c)
  })
  app.onError((error, c) => {
    credvend.metrics.error(isVendError(error) ? error.code : 'ERR_INTERNAL')
    return onError(error, c)
  })
  return app
}
