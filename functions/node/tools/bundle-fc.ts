import { build, type Plugin } from 'esbuild'
import { fileURLToPath } from 'node:url'

/** The Redis client (ioredis) ships as its own file, loaded only by a config with a redis section. */
export const REDIS_CHUNK = 'connect-redis.js'

const redisApart: Plugin = {
  name: 'redis-apart',
  setup(b) {
    b.onResolve({ filter: /\/connect-redis\.ts$/ }, () => ({ path: `./${REDIS_CHUNK}`, external: true }))
  },
}

const bundle = async (entry: string, options: { minify?: boolean; plugins?: Plugin[] }) => {
  const result = await build({
    entryPoints: [fileURLToPath(new URL(entry, import.meta.url))],
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    minify: options.minify ?? true,
    legalComments: 'none',
    write: false,
    plugins: options.plugins ?? [],
  })
  return result.outputFiles[0]!.text
}

/**
 * Bundles the FC 3.0 entry into one CommonJS file exporting `handler` — what FC's built-in Node.js
 * runtime loads for `index.handler`. Everything (hono, zod, jose, undici) is inside; nothing is
 * installed on FC. Returns the text; `build-fc.ts` writes it with the deployment configs.
 */
export const bundleFc = (options: { minify?: boolean } = {}): Promise<string> =>
  bundle('../../fc/index.ts', { ...options, plugins: [redisApart] })

/** The Redis connector with ioredis inside, written next to the entry as `connect-redis.js`. */
export const bundleFcRedis = (options: { minify?: boolean } = {}): Promise<string> =>
  bundle('../platform/connect-redis.ts', options)
