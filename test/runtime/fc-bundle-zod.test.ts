import { describe, expect, it } from 'vitest'
import { bundleFcServerWith, bundleFcWith } from '../../functions/node/tools/bundle-fc.ts'
import { CHILD_PROCESS_TIMEOUT_MS } from '../helpers/timeouts.ts'

/**
 * Both FC entries carry zod/mini only (lib/zod.ts): no module of zod's classic API, none of its
 * JSON Schema conversion (the documents are generated before the build), and no locale but
 * English. The validating core is there: the FC tests vend through the built package, which
 * parses its config and every body with it.
 */
describe('FC bundle: zod/mini and nothing else of zod', () => {
  it.each([
    ['index.js', bundleFcWith],
    ['server.js', bundleFcServerWith],
  ] as const)(
    '%s',
    async (_file, build) => {
      const { metafile } = await build({ metafile: true })
      const output = Object.values(metafile!.outputs)[0]!
      // esbuild lists a module it read even when tree shaking left nothing of it in the output.
      const zod = Object.entries(output.inputs)
        .filter(([path, input]) => path.includes('/zod/') && input.bytesInOutput > 0)
        .map(([path]) => path.replace(/^.*\/zod\//, 'zod/'))
      expect(zod.filter((path) => path.startsWith('zod/v4/classic/'))).toEqual([])
      expect(zod.filter((path) => /json-schema/.test(path))).toEqual([])
      expect(zod.filter((path) => path.startsWith('zod/v4/locales/'))).toEqual([
        'zod/v4/locales/en.js',
      ])
      expect(zod).toContain('zod/v4/mini/schemas.js')
      expect(
        output.inputs[
          Object.keys(output.inputs).find((p) => p.endsWith('zod/v4/core/schemas.js'))!
        ]!.bytesInOutput,
      ).toBeGreaterThan(10_000)
    },
    CHILD_PROCESS_TIMEOUT_MS,
  )
})
