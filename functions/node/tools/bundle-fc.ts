import { build } from 'esbuild'
import { fileURLToPath } from 'node:url'

/**
 * Bundles the FC 3.0 entry into one CommonJS file exporting `handler` — what FC's built-in Node.js
 * runtime loads for `index.handler`. Everything (hono, zod, jose, undici) is inside; nothing is
 * installed on FC. Returns the text; `build-fc.ts` writes it with the deployment configs.
 */
export const bundleFc = async (options: { minify?: boolean } = {}): Promise<string> => {
  const result = await build({
    entryPoints: [fileURLToPath(new URL('../../fc/index.ts', import.meta.url))],
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    minify: options.minify ?? true,
    legalComments: 'none',
    write: false,
  })
  return result.outputFiles[0]!.text
}
