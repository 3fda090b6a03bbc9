import { spawnSync } from 'node:child_process'
import { createRequire } from 'node:module'
import { describe, expect, it } from 'vitest'
import { CHILD_PROCESS_TIMEOUT_MS } from '../helpers/timeouts.ts'

const require = createRequire(import.meta.url)
const tsc = require.resolve('typescript/bin/tsc')

describe('test contract: lib/ is Web-standard only', () => {
  it(
    'the compiler rejects process, Buffer and require under lib/ settings (with all of lib/ in the program)',
    () => {
      const run = spawnSync(
        process.execPath,
        [tsc, '-p', 'test/fixtures/web-only/tsconfig.json', '--pretty', 'false'],
        {
          encoding: 'utf8',
          // Below the test's limit, so that a hung compiler is reported as such.
          timeout: CHILD_PROCESS_TIMEOUT_MS - 10_000,
        },
      )
      expect(run.signal, 'tsc was killed, most likely by the timeout').toBeNull()
      const errors = run.stdout.split('\n').filter((l) => l.includes('error TS'))
      expect(run.status).not.toBe(0)
      expect(errors.every((l) => l.startsWith('test/fixtures/web-only/node-leak.ts'))).toBe(true)
      for (const name of ['process', 'Buffer', 'require']) {
        expect(errors.some((l) => l.includes(`Cannot find name '${name}'`))).toBe(true)
      }
    },
    CHILD_PROCESS_TIMEOUT_MS,
  )
})
