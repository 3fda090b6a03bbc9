import type { RenderedFile } from './rendered-file.ts'

/** Differences between a rendered set and what a directory holds: missing, changed, extra. @public */
export const infraDrift = (
  expected: readonly RenderedFile[],
  actual: ReadonlyMap<string, string>,
): string[] => {
  const problems: string[] = []
  const wanted = new Map(expected.map((f) => [f.path, `${JSON.stringify(f.json, null, 2)}\n`]))
  for (const [path, text] of wanted) {
    const found = actual.get(path)
    if (found === undefined) problems.push(`missing: ${path}`)
    else if (found !== text) problems.push(`differs: ${path}`)
  }
  for (const path of actual.keys())
    if (!wanted.has(path)) problems.push(`not implied by the config: ${path}`)
  return problems
}
