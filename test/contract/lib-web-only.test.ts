import { spawnSync } from 'node:child_process'
import { createRequire } from 'node:module'
import { describe, expect, it } from 'vitest'

const require = createRequire(import.meta.url)
const tsc = require.resolve('typescript/bin/tsc')

describe('test contract: lib/ is Web-standard only', () => {
  it('the compiler rejects process, Buffer and require under lib/ settings (with all of lib/ in the program)', () => {
    const run = spawnSync(process.execPath, [tsc, '-p', 'test/fixtures/web-only/tsconfig.json', '--pretty', 'false'], {
      encoding: 'utf8',
      timeout: 120_000,
    })
    const errors = run.stdout.split('\n').filter((l) => l.includes('error TS'))
    expect(run.status).not.toBe(0)
    expect(errors.every((l) => l.startsWith('test/fixtures/web-only/node-leak.ts'))).toBe(true)
    for (const name of ['process', 'Buffer', 'require']) {
      expect(errors.some((l) => l.includes(`Cannot find name '${name}'`))).toBe(true)
    }
  })
})
