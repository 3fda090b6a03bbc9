import { build, type Metafile, type Plugin } from 'esbuild'
import { fileURLToPath } from 'node:url'

/** The Redis client (ioredis) ships as its own file, loaded only by a config with a redis section. */
export const REDIS_CHUNK = 'connect-redis.js'
/** The OpenAPI document, loaded by the first `GET /openapi.json` of the internal function. */
export const OPENAPI_CHUNK = 'openapi.js'
/** The config file scanner that places a problem at its line and column: a config that loads never needs it. */
export const CONFIG_SCAN_CHUNK = 'config-scan.js'
/** The presigned-URL signer, loaded by the first vend that asks for a URL. */
export const PRESIGN_CHUNK = 'presign-url.js'
/** The PostObject form signer, loaded by the first vend that asks for a form. */
export const POST_OBJECT_CHUNK = 'sign-post-object.js'
/** The partner trust watch's run and its role probes, loaded by the first run (a timer's event). */
export const TRUST_RUN_CHUNK = 'trust-run.js'
/** The signed Alibaba login (off by default), loaded by the first `POST /v1/session/alibaba`. */
export const ALIBABA_LOGIN_CHUNK = 'alibaba-login.js'
/** KMS-rotated AccessKeys, loaded by the first request for an access-key profile. */
export const ACCESS_KEYS_CHUNK = 'access-key-service.js'

/**
 * Modules the app loads with `import()` and a cold instance rarely needs, each shipped as a file
 * of its own next to the entry. A chunk bundles its own copy of whatever it imports, so only
 * modules that share no module-level state with the entry may be apart: ioredis's connector, a
 * document that is plain data, pure functions (the config scanner, the URL and form signers), and
 * services whose state lives in the object the entry creates and keeps (the partner trust watch's
 * run, the signed Alibaba login, the access-key service), reaching the network, clock and log only
 * through what they are handed. Their errors are their own copy of VendError, which the entry
 * recognises by name and code (`isVendError`), never by class. `module` is what the chunk is built
 * from.
 */
const APART: readonly {
  readonly source: RegExp
  readonly chunk: string
  readonly module: string
}[] = [
  { source: /\/connect-redis\.ts$/, chunk: REDIS_CHUNK, module: '../platform/connect-redis.ts' },
  {
    source: /\/generated\/openapi\.ts$/,
    chunk: OPENAPI_CHUNK,
    module: '../../../lib/generated/openapi.ts',
  },
  {
    source: /\/scan-json\.ts$/,
    chunk: CONFIG_SCAN_CHUNK,
    module: '../../../lib/config/scan-json.ts',
  },
  {
    source: /\/presign-url\.ts$/,
    chunk: PRESIGN_CHUNK,
    module: '../../../lib/vend/presign-url.ts',
  },
  {
    source: /\/sign-post-object\.ts$/,
    chunk: POST_OBJECT_CHUNK,
    module: '../../../lib/vend/sign-post-object.ts',
  },
  {
    source: /\/access-key-service\.ts$/,
    chunk: ACCESS_KEYS_CHUNK,
    module: '../../../lib/vend/access-key-service.ts',
  },
  {
    source: /\/alibaba-login\.ts$/,
    chunk: ALIBABA_LOGIN_CHUNK,
    module: '../../../lib/session/alibaba-login.ts',
  },
  {
    source: /\/trust-run\.ts$/,
    chunk: TRUST_RUN_CHUNK,
    module: '../../../lib/partners/trust-run.ts',
  },
]

const chunksApart: Plugin = {
  name: 'chunks-apart',
  setup(b) {
    for (const { source, chunk } of APART) {
      b.onResolve({ filter: source }, () => ({ path: `./${chunk}`, external: true }))
    }
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
  /** Modules whose exports replace free globals of the same name (esbuild's `inject`). */
  readonly inject?: string[]
}

/**
 * The built-in shape's Headers, Request and Response: light classes in place of Node's, whose
 * first use loads undici (≈ 35 ms of a cold instance's first answer). Only `index.js` gets them;
 * the custom shape's server.js runs on @hono/node-server, which loads Node's own anyway.
 */
const LIGHT_WEB_GLOBALS = fileURLToPath(new URL('../../fc/light-web-globals.ts', import.meta.url))

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
    inject: options.inject ?? [],
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
  bundle('../../fc/index.ts', {
    ...options,
    plugins: [chunksApart, ...(options.plugins ?? [])],
    inject: [LIGHT_WEB_GLOBALS],
  })

/**
 * The custom-runtime server: the same app on @hono/node-server, on the port FC gives the custom
 * runtime, started by the package's `bootstrap`.
 */
export const bundleFcServer = async (options: { minify?: boolean } = {}): Promise<string> =>
  (await bundleFcServerWith(options)).text

/** The custom-runtime server's build with the same options as `bundleFcWith`. */
export const bundleFcServerWith = (options: BundleOptions = {}): Promise<FcBundle> =>
  bundle('../../fc/server.ts', { ...options, plugins: [chunksApart, ...(options.plugins ?? [])] })

/** The Redis connector with ioredis inside, written next to the entry as `connect-redis.js`. */
export const bundleFcRedis = async (options: { minify?: boolean } = {}): Promise<string> =>
  (await bundleFcRedisWith(options)).text

/** The Redis connector's build with the same options as `bundleFcWith`. */
export const bundleFcRedisWith = (options: BundleOptions = {}): Promise<FcBundle> =>
  bundle('../platform/connect-redis.ts', options)

/** Every chunk but Redis's (built above with its options), each to be written next to the entry. */
export const bundleFcChunks = (): Promise<{ readonly chunk: string; readonly text: string }[]> =>
  Promise.all(
    APART.filter(({ chunk }) => chunk !== REDIS_CHUNK).map(async ({ chunk, module }) => ({
      chunk,
      text: (await bundle(module, {})).text,
    })),
  )
