import { build } from 'esbuild'
import { fileURLToPath } from 'node:url'

/**
 * Bundles the Worker the way wrangler does (ESM, workerd conditions) into memory, for the smoke
 * test and for the bundle checks. Returns the module text.
 */
export const bundleWorker = async (): Promise<string> => {
  const result = await build({
    entryPoints: [fileURLToPath(new URL('../../workers/index.ts', import.meta.url))],
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    conditions: ['workerd', 'worker', 'browser'],
    mainFields: ['module', 'main'],
    target: 'es2022',
    minify: true,
    write: false,
  })
  return result.outputFiles[0]!.text
}
