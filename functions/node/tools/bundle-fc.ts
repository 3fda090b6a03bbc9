import { build, type Metafile, type Plugin } from 'esbuild'
import { readFile } from 'node:fs/promises'
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

/** zod's JSON Schema conversion: the two modules of zod v4 core that produce JSON Schema. */
export const ZOD_JSON_SCHEMA_MODULES =
  /[\\/]zod[\\/]v4[\\/]core[\\/](?:json-schema-processors|to-json-schema)\.js$/

/** What a stand-in throws, should anything in the bundle ever ask for JSON Schema. */
export const NO_JSON_SCHEMA = 'JSON Schema conversion is not part of the FC bundle'

/**
 * The names a module of zod exports, read from its source: the stand-in must offer every one,
 * and a name it lacks (a zod upgrade that exports differently) fails the build loudly.
 */
const exportedNames = (source: string): string[] => [
  ...Array.from(
    source.matchAll(/^export (?:async )?(?:function\*?|const|let|var|class) ([\w$]+)/gm),
    (m) => m[1]!,
  ),
  ...Array.from(source.matchAll(/^export \{([^}]*)\}/gm), (m) => m[1]!)
    .flatMap((list) => list.split(','))
    .map((item) =>
      item
        .trim()
        .split(/\s+as\s+/)
        .at(-1)!,
    )
    .filter(Boolean),
]

/**
 * zod's classic API attaches JSON Schema conversion to every schema it builds (a
 * `toJSONSchema` method and a processor per schema), so no bundler can drop it, yet the deployed
 * app never converts a schema: the JSON Schema documents are generated before the build
 * (`npm run build:schemas`). In the FC bundle those two modules are stand-ins whose functions
 * throw, which takes about 17 KB off the code every cold instance loads.
 */
const zodWithoutJsonSchema: Plugin = {
  name: 'zod-without-json-schema',
  setup(b) {
    b.onLoad({ filter: ZOD_JSON_SCHEMA_MODULES }, async (args) => {
      const names = exportedNames(await readFile(args.path, 'utf8'))
      // `create…` are factories called while a schema is built; they must return, not throw.
      const exports = names.map((n) => `${n.startsWith('create') ? 'deferred' : 'absent'} as ${n}`)
      const contents = [
        `const absent = () => { throw new Error(${JSON.stringify(NO_JSON_SCHEMA)}) }`,
        'const deferred = () => absent',
        `export { ${exports.join(', ')} }`,
      ].join('\n')
      return { contents, loader: 'js' }
    })
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
    plugins: [zodWithoutJsonSchema, ...(options.plugins ?? [])],
    metafile: options.metafile ?? false,
  })
  const text = result.outputFiles[0]!.text
  return result.metafile ? { text, metafile: result.metafile } : { text }
}

/**
 * Bundles the FC 3.0 entry into one CommonJS file exporting `handler` — what FC's built-in Node.js
 * runtime loads for `index.handler`. Everything (hono, zod, jose) is inside; nothing is installed
 * on FC, and upstream calls go over `node:http` (http-fetch.ts), not a bundled undici. Returns
 * the text; `build-fc.ts` writes it with the deployment configs.
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
