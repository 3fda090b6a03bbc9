import madge from 'madge'
import { beforeAll, describe, expect, it } from 'vitest'

/**
 * The rows of lib/README.md's import table: a module may import from its own row or a row above,
 * never from below. A new top-level folder or file must be placed here, or the test fails.
 */
const ROWS: ReadonlyArray<readonly string[]> = [
  ['errors.ts', 'log.ts', 'zod.ts', 'crypto/', 'runtime/', 'cache/', 'generated/'],
  ['signing/', 'openapi/', 'upstream/', 'sts/', 'kms/', 'credentials/'],
  ['policy/', 'config/', 'auth/', 'session/', 'limits/', 'partners/', 'store/', 'metrics/'],
  ['vend/', 'audit/', 'generation.ts', 'credvend.ts'],
  ['http/', 'routes/', 'app.ts', 'assemble.ts'],
]
/** Off the shipping line: they may import any product module, and no product module imports them. */
const OUTSIDE = ['emulator/', 'agent/', 'infra/', 'browser/']

const topOf = (file: string) => (file.includes('/') ? `${file.split('/')[0]}/` : file)
const rowOf = (file: string) => ROWS.findIndex((row) => row.includes(topOf(file)))

/** Every import that goes against the table, as `from -> to`. */
const violations = (graph: Record<string, string[]>): string[] =>
  Object.entries(graph).flatMap(([from, imports]) => {
    if (OUTSIDE.includes(topOf(from))) return []
    return imports
      .filter((to) => OUTSIDE.includes(topOf(to)) || rowOf(to) > rowOf(from))
      .map((to) => `${from} -> ${to}`)
  })

/**
 * No import cycles in lib/. A cycle makes module order matter (a constant read before its module
 * ran is undefined), and it ties modules so that shipping one drags the other into a bundle.
 * madge reads type-only imports too: a cycle through types still couples the two files.
 */
describe('contract: the import graph of lib/', () => {
  let graph: Awaited<ReturnType<typeof madge>>
  beforeAll(async () => {
    graph = await madge('lib', { fileExtensions: ['ts'], tsConfig: 'tsconfig.json' })
  }, 120_000)

  it('has no cycles', () => {
    expect(Object.keys(graph.obj())).toContain('vend/vend-service.ts')
    expect(graph.warnings().skipped).toEqual([])
    expect(graph.circular()).toEqual([])
  })

  it('places every module in a row of the table', () => {
    const unplaced = Object.keys(graph.obj()).filter(
      (file) => rowOf(file) < 0 && !OUTSIDE.includes(topOf(file)),
    )
    expect(unplaced).toEqual([])
  })

  it('imports only from the same row or above, never from what does not ship', () => {
    expect(violations(graph.obj())).toEqual([])
  })

  it('reports an import from a lower row', () => {
    const upward = { 'cache/lru.ts': ['vend/vend-service.ts'], 'vend/vend-service.ts': [] }
    expect(violations(upward)).toEqual(['cache/lru.ts -> vend/vend-service.ts'])
    const toEmulator = { 'vend/allowed.ts': ['emulator/world.ts'] }
    expect(violations(toEmulator)).toEqual(['vend/allowed.ts -> emulator/world.ts'])
  })
})
