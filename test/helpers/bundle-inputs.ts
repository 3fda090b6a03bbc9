import { build, type Metafile, type Plugin } from 'esbuild'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The repository root: metafile inputs are reported relative to it. */
const ROOT = fileURLToPath(new URL('../../', import.meta.url))

/**
 * The `lib/` folders the FC and Workers bundles really ship, each one reviewed. A new folder
 * reaching a bundle fails the contract until someone looks at it and adds it here: this list is
 * written by hand on purpose, never derived from what the bundles happen to contain.
 */
const SHIPPING_LIB_FOLDERS: readonly string[] = [
  'lib/audit/',
  'lib/auth/',
  'lib/cache/',
  'lib/config/',
  'lib/credentials/',
  'lib/crypto/',
  'lib/generated/',
  'lib/http/',
  'lib/kms/',
  'lib/limits/',
  'lib/metrics/',
  'lib/openapi/',
  'lib/partners/',
  'lib/policy/',
  'lib/routes/',
  'lib/runtime/',
  'lib/session/',
  'lib/store/',
  'lib/signing/',
  'lib/sts/',
  'lib/upstream/',
  'lib/vend/',
]

/** Files directly in `lib/` that ship, named one by one for the same reason. */
const SHIPPING_LIB_ROOT_FILES: readonly string[] = [
  'lib/app.ts',
  'lib/assemble.ts',
  'lib/credvend.ts',
  'lib/errors.ts',
  'lib/generation.ts',
  'lib/log.ts',
  'lib/zod.ts',
]

/**
 * Never in a deployed bundle, even where a folder above would admit them: the emulator and its
 * demo world, the agent, infra rendering, the login client (CLI-side), and everything in the Node
 * CLI and build tools. (The partner-role checker ships: the partner trust watch runs it.)
 */
const NEVER_SHIPS: readonly string[] = [
  'lib/emulator/',
  'lib/agent/',
  'lib/infra/',
  'lib/browser/',
  'lib/session/login-client.ts',
  'functions/node/cli/',
  'functions/node/tools/',
]

/** Where non-`lib/` inputs of a deployed bundle may come from besides node_modules. */
const ENTRY_FOLDERS: readonly string[] = [
  'functions/fc/',
  'functions/workers/',
  'functions/node/platform/',
]

const within = (path: string, entries: readonly string[]) =>
  entries.some((e) => (e.endsWith('/') ? path.startsWith(e) : path === e))

/**
 * Every input of a bundle that should not be there, with the rule it breaks. Inputs are what
 * esbuild loaded, tree-shaken or not: a file that reaches the graph is one refactor from shipping.
 */
export const shippingViolations = (metafile: Metafile): string[] =>
  Object.keys(metafile.inputs)
    .map((input) => input.replaceAll('\\', '/'))
    .filter((input) => !input.includes('node_modules/'))
    .flatMap((input) => {
      if (within(input, NEVER_SHIPS)) return [`${input}: never ships`]
      if (input.startsWith('lib/')) {
        return within(input, SHIPPING_LIB_FOLDERS) || within(input, SHIPPING_LIB_ROOT_FILES)
          ? []
          : [`${input}: not in a reviewed lib/ folder`]
      }
      return within(input, ENTRY_FOLDERS) ? [] : [`${input}: outside the deployed sources`]
    })

/** The `lib/` inputs of a bundle, so a test can show the check saw the product at all. */
export const libInputs = (metafile: Metafile): string[] =>
  Object.keys(metafile.inputs).filter((input) => input.startsWith('lib/'))

/**
 * The Worker as wrangler bundles it for workerd (its defaults in wrangler 3: esbuild's browser
 * platform, conditions `workerd`, `worker`, `browser`, ES modules, es2022), without the
 * middleware wrangler wraps around it, which is not ours. `node:*` stays external as wrangler's
 * nodejs_compat handling leaves it.
 */
export const bundleWorker = async (plugins: Plugin[] = []): Promise<Metafile> => {
  const result = await build({
    entryPoints: ['functions/workers/index.ts'],
    absWorkingDir: ROOT,
    bundle: true,
    platform: 'browser',
    conditions: ['workerd', 'worker', 'browser'],
    format: 'esm',
    target: 'es2022',
    external: ['node:*'],
    minify: true,
    write: false,
    metafile: true,
    logLevel: 'silent',
    plugins,
  })
  return result.metafile
}

/**
 * A plugin that loads `target` (a path relative to the root) with one more line importing
 * `imported` (relative to the target), the way a careless edit would pull a file into the graph.
 */
export const appendImport = (target: string, imported: string): Plugin => ({
  name: 'append-import',
  setup(b) {
    const file = join(ROOT, target)
    const base = target.slice(target.lastIndexOf('/') + 1).replace(/[.-]/g, '\\$&')
    b.onLoad({ filter: new RegExp(`${base}$`) }, async (args) => {
      if (args.path !== file) return undefined
      const contents = `${await readFile(file, 'utf8')}\nimport '${imported}'\n`
      return { contents, loader: 'ts' }
    })
  },
})
