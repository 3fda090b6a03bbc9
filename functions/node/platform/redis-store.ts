import { Redis } from 'ioredis'
import type { RedisSettings } from '../../../lib/config/load.ts'
import type { LogSink } from '../../../lib/log.ts'
import type { SharedStore } from '../../../lib/store/shared-store.ts'

/** Redis's own clock in ms, so every instance measures windows by the same clock. */
const NOW = `local t = redis.call('TIME') local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`

/** GCRA, as lib/limits/rate-limiter.ts: 0 when admitted, else whole seconds to wait. */
const TAKE_RATE = `${NOW}
local interval = tonumber(ARGV[1]) local tolerance = tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or now)
if tat - now > tolerance + interval then tat = now end
if tat < now then tat = now end
if tat - now > tolerance then return math.max(1, math.ceil((tat - tolerance - now) / 1000)) end
local nextTat = tat + interval
redis.call('SET', KEYS[1], tostring(nextTat), 'PX', math.max(1, math.ceil(nextTat - now)))
return 0`

/**
 * The sliding window of lib/upstream/governor.ts, as a list of the last `size` planned starts:
 * a new slot is at least `spacing` after the one `size` places before it, and never before the
 * last one (the list stays sorted). Answers {granted, waitMs}.
 */
const RESERVE_SLOT = `${NOW}
local size = tonumber(ARGV[1]) local spacing = tonumber(ARGV[2]) local maxWait = tonumber(ARGV[3])
local n = redis.call('LLEN', KEYS[1])
local slot = now
if n >= size then
  local before = tonumber(redis.call('LINDEX', KEYS[1], n - size))
  if before + spacing > slot then slot = before + spacing end
end
if n > 0 then
  local last = tonumber(redis.call('LINDEX', KEYS[1], -1))
  if last > slot then slot = last end
end
local wait = slot - now
if wait > maxWait then return {0, wait} end
redis.call('RPUSH', KEYS[1], slot)
redis.call('LTRIM', KEYS[1], -size, -1)
redis.call('PEXPIRE', KEYS[1], wait + spacing + 1000)
return {1, wait}`

const DELETE_IF_EQUALS = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`

interface Scripts {
  takeRate(name: string, intervalMs: number, toleranceMs: number): Promise<number>
  reserveSlot(
    name: string,
    size: number,
    spacingMs: number,
    maxWaitMs: number,
  ): Promise<[number, number]>
  deleteIfEquals(name: string, value: string): Promise<number>
}

/**
 * The shared store on Redis (ioredis). Fails fast rather than queueing: no offline queue, no
 * per-command retries, a command timeout — a request whose Redis call fails goes per-instance at
 * once, while ioredis reconnects in the background.
 */
export const createRedisStore = (settings: RedisSettings, log: LogSink) => {
  const tls = settings.url.startsWith('rediss://')
  const client = new Redis(settings.url, {
    ...(settings.username ? { username: settings.username } : {}),
    ...(settings.password ? { password: settings.password } : {}),
    ...(tls
      ? {
          tls: {
            rejectUnauthorized: true,
            ...(settings.ca ? { ca: settings.ca } : {}),
            ...(settings.servername ? { servername: settings.servername } : {}),
          },
        }
      : {}),
    commandTimeout: settings.commandTimeoutMs,
    connectTimeout: Math.max(1_000, settings.commandTimeoutMs * 4),
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    // Reconnect forever, at most every two seconds: the outage ends on its own.
    retryStrategy: (times) => Math.min(times * 100, 2_000),
  })
  client.defineCommand('takeRate', { numberOfKeys: 1, lua: TAKE_RATE })
  client.defineCommand('reserveSlot', { numberOfKeys: 1, lua: RESERVE_SLOT })
  client.defineCommand('deleteIfEquals', { numberOfKeys: 1, lua: DELETE_IF_EQUALS })
  const scripts = client as unknown as Scripts
  // Transitions only, and never the error's text: it may carry the URL.
  let connected = false
  client.on('ready', () => {
    connected = true
    log({ type: 'redis', event: 'ready' })
  })
  client.on('error', () => {
    if (!connected) return
    connected = false
    log({ type: 'redis', event: 'unavailable' })
  })
  const store: SharedStore = {
    get: (names) => client.mget(...names),
    set: async (name, value, ttlMs) => void (await client.set(name, value, 'PX', ttlMs)),
    setIfAbsent: async (name, value, ttlMs) =>
      (await client.set(name, value, 'PX', ttlMs, 'NX')) === 'OK',
    deleteIfEquals: async (name, value) => void (await scripts.deleteIfEquals(name, value)),
    takeRate: async (name, intervalMs, toleranceMs) => {
      const wait = Number(await scripts.takeRate(name, intervalMs, toleranceMs))
      return wait > 0 ? wait : undefined
    },
    reserveSlot: async (name, perSecond, spacingMs, maxWaitMs) => {
      const [granted, waitMs] = await scripts.reserveSlot(
        name,
        perSecond,
        spacingMs,
        Math.floor(maxWaitMs),
      )
      return { granted: Number(granted) === 1, waitMs: Number(waitMs) }
    },
  }
  return {
    store,
    /** Resolves once connected, or after `ms` (credvend serves per-instance until then). */
    ready: (ms: number) =>
      new Promise<void>((resolve) => {
        if (client.status === 'ready') return resolve()
        const timer = setTimeout(resolve, ms)
        client.once('ready', () => {
          clearTimeout(timer)
          resolve()
        })
      }),
    close: () => void client.disconnect(),
  }
}
