import { describe, expect, it } from 'vitest'
import {
  bundleFcServerWith,
  bundleFcWith,
  NO_JSON_SCHEMA,
  ZOD_JSON_SCHEMA_MODULES,
} from '../../functions/node/tools/bundle-fc.ts'
import { CHILD_PROCESS_TIMEOUT_MS } from '../helpers/timeouts.ts'

/**
 * zod's JSON Schema conversion stays out of both FC entries: its two modules are stand-ins of a
 * few hundred bytes, and everything else of zod the app validates with is still there (the FC
 * tests vend through the built package, which parses its config and every body with zod).
 */
describe('FC bundle: zod without JSON Schema conversion', () => {
  it.each([
    ['index.js', bundleFcWith],
    ['server.js', bundleFcServerWith],
  ] as const)(
    '%s',
    async (_file, build) => {
      const { text, metafile } = await build({ metafile: true })
      const output = Object.values(metafile!.outputs)[0]!
      const zodInputs = Object.entries(output.inputs).filter(([path]) => path.includes('/zod/'))
      const conversion = zodInputs.filter(([path]) => ZOD_JSON_SCHEMA_MODULES.test(path))
      expect(conversion.map(([path]) => path.replace(/^.*\/zod\//, 'zod/')).sort()).toEqual([
        'zod/v4/core/json-schema-processors.js',
        'zod/v4/core/to-json-schema.js',
      ])
      for (const [, input] of conversion) expect(input.bytesInOutput).toBeLessThan(1_000)
      expect(text).toContain(NO_JSON_SCHEMA)
      // The validating core is whole.
      const core = zodInputs.find(([path]) => path.endsWith('zod/v4/core/schemas.js'))
      expect(core?.[1].bytesInOutput).toBeGreaterThan(10_000)
    },
    CHILD_PROCESS_TIMEOUT_MS,
  )
})
