import type { RedisSettings } from '../../../lib/config/load.ts'
import type { LogSink } from '../../../lib/log.ts'
import { openSharedState } from '../../../lib/store/shared-state.ts'
import type { VendDeps } from '../../../lib/vend/vend-deps.ts'
import { createRedisStore } from './redis-store.ts'

/**
 * Redis for a Node or FC instance: the store, its sealing keys, and a short wait for the first
 * connection — past it the instance serves on its own state and joins when Redis answers.
 */
export const connectRedis = async (settings: RedisSettings, deps: VendDeps, log: LogSink) => {
  const redis = createRedisStore(settings, log)
  await redis.ready(Math.max(1_000, settings.commandTimeoutMs * 4))
  const shared = await openSharedState(
    redis.store,
    settings,
    deps.elapsedMs ?? (() => performance.now()),
  )
  return { shared, close: redis.close }
}
