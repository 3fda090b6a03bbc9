import type { Interleaved } from './measure.ts'

type Status = 'met' | 'MISSED' | 'ERROR' | 'reported'

export interface Row {
  readonly what: string
  readonly baseline: string
  readonly measured: string
  readonly ratio: string
  readonly spread: string
  readonly budget: string
  readonly status: Status
}

const rows: Row[] = []

export const addRow = (row: Omit<Row, 'status'> & { ok: boolean | 'report' }) => {
  const { ok, ...rest } = row
  const status: Status = ok === 'report' ? 'reported' : ok ? 'met' : 'MISSED'
  rows.push({ ...rest, status })
  // Printed as it comes, so a long run shows progress and a crash still leaves the rows so far.
  console.log(`  ${status.padEnd(8)} ${row.what}: ${row.measured} (${row.ratio})`)
}

/**
 * Runs one group of rows; if it throws, the group becomes an ERROR row and the bench goes on, so
 * every other row is still measured and printed.
 */
export const attempt = async (what: string, group: () => Promise<void>) => {
  const started = performance.now()
  console.log(`${what} …`)
  try {
    await group()
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error)
    rows.push({
      what,
      baseline: '—',
      measured: `error: ${message.split('\n')[0]!.slice(0, 160)}`,
      ratio: '—',
      spread: '—',
      budget: '—',
      status: 'ERROR',
    })
    console.log(`  ERROR    ${what}: ${error instanceof Error ? error.stack : message}`)
  }
  console.log(`  (${((performance.now() - started) / 1000).toFixed(1)} s)`)
}

/** `a–b` of the per-round ratios, formatted like the ratio itself, and the round count. */
export const spreadOf = (r: Interleaved, format: (ratio: number) => string) =>
  `${format(r.low)}–${format(r.high)} over ${r.ratios.length} rounds`

export const percent = (ratio: number) => `${(ratio * 100).toFixed(0)} %`
export const times = (ratio: number) => `${ratio.toFixed(2)}×`
export const micros = (n: number) => `${n.toFixed(1)} µs`

export const printTable = () => {
  const keys = ['what', 'baseline', 'measured', 'ratio', 'spread', 'budget', 'status'] as const
  const table = [[...keys], ...rows.map((r) => keys.map((k) => r[k]))]
  const widths = keys.map((_, c) => Math.max(...table.map((line) => line[c]!.length)))
  for (const [i, line] of table.entries()) {
    console.log(`| ${line.map((cell, c) => cell.padEnd(widths[c]!)).join(' | ')} |`)
    if (i === 0) console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`)
  }
}

export const allMet = () => rows.every((r) => r.status === 'met' || r.status === 'reported')
