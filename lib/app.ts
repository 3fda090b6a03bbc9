import { Hono } from 'hono'
import { VendError } from './errors.ts'
import { onError } from './http/on-error.ts'
import { requestId, type RequestIdVariables } from './http/request-id.ts'
import { healthRoutes } from './routes/health.ts'
import type { CoreDeps } from './runtime/deps.ts'

/** What createApp needs from its runtime. @public */
export type AppDeps = CoreDeps

/**
 * The credvend HTTP app, free of runtime specifics: each entry (Node, FC, Workers) builds the
 * deps and serves `app.fetch`.
 * @example
 * const app = createApp({ fetch, now: () => new Date(), randomId: randomHexId })
 * @public
 */
export const createApp = (deps: AppDeps) => {
  const app = new Hono<{ Variables: RequestIdVariables }>()
  app.use(requestId(deps.randomId))
  app.route('/', healthRoutes)
  app.notFound((c) => onError(new VendError('ERR_NOT_FOUND', 'not found'), c))
  app.onError(onError)
  return app
}
