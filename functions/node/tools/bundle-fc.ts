import { build, type Metafile, type Plugin } from 'esbuild'
import { fileURLToPath } from 'node:url'

/** The Redis client (ioredis) ships as its own file, loaded only by a config with a redis section. */
export const REDIS_CHUNK = 'connect-redis.js'

const redisApart: Plugin = {
  name: 'redis-apart',
  setup(b) {
    b.onResolve({ filter: /\/connect-redis\.ts$/ }, () => ({
      path: `./${REDIS_CHUNK}`,
      external: true,
    }))
  },
}

/** A bundle's text, and with `metafile: true` esbuild's record of every file that went into it. */
export interface FcBundle {
  readonly text: string
  readonly metafile?: Metafile
}

interface BundleOptions {
  readonly minify?: boolean
  readonly plugins?: Plugin[]
  readonly metafile?: boolean
}

const bundle = async (entry: string, options: BundleOptions): Promise<FcBundle> => {
  const result = await build({
    entryPoints: [fileURLToPath(new URL(entry, import.meta.url))],
    // Metafile paths relative to the repository root, whatever directory the build runs from.
    absWorkingDir: fileURLToPath(new URL('../../../', import.meta.url)),
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    minify: options.minify ?? true,
    legalComments: 'none',
    write: false,
    plugins: options.plugins ?? [],
    metafile: options.metafile ?? false,
  })
  const text = result.outputFiles[0]!.text
  return result.metafile ? { text, metafile: result.metafile } : { text }
}

/**
 * Bundles the FC 3.0 entry into one CommonJS file exporting `handler` — what FC's built-in Node.js
 * runtime loads for `index.handler`. Everything (hono, zod, jose, undici) is inside; nothing is
 * installed on FC. Returns the text; `build-fc.ts` writes it with the deployment configs.
 */
export const bundleFc = async (options: { minify?: boolean } = {}): Promise<string> =>
  (await bundleFcWith(options)).text

/**
 * The same build, returning the text and, with `metafile: true`, the metafile the bundle
 * contract test reads. `plugins` run after the one that keeps Redis apart; they exist so a test
 * can show the contract catching a file that should never ship.
 */
export const bundleFcWith = (options: BundleOptions = {}): Promise<FcBundle> =>
  bundle('../../fc/index.ts', { ...options, plugins: [redisApart, ...(options.plugins ?? [])] })

/**
 * The custom-runtime server: the same app on @hono/node-server, on the port FC gives the custom
 * runtime, started by the package's `bootstrap`.
 */
export const bundleFcServer = async (options: { minify?: boolean } = {}): Promise<string> =>
  (await bundleFcServerWith(options)).text

/** The custom-runtime server's build with the same options as `bundleFcWith`. */
export const bundleFcServerWith = (options: BundleOptions = {}): Promise<FcBundle> =>
  bundle('../../fc/server.ts', { ...options, plugins: [redisApart, ...(options.plugins ?? [])] })

/** The Redis connector with ioredis inside, written next to the entry as `connect-redis.js`. */
export const bundleFcRedis = async (options: { minify?: boolean } = {}): Promise<string> =>
  (await bundleFcRedisWith(options)).text

/** The Redis connector's build with the same options as `bundleFcWith`. */
export const bundleFcRedisWith = (options: BundleOptions = {}): Promise<FcBundle> =>
  bundle('../platform/connect-redis.ts', options)
