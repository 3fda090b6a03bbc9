import type { SourceFinding } from '../../../../lib/credentials/explain-chain.ts'
import type { DoctorCheck } from './doctor-check.ts'

const MARK = { ok: 'ok  ', warn: 'warn', fail: 'FAIL', skipped: 'skip' } as const

/**
 * The report a person reads: one line per check (continuation lines indented under it), the
 * chain's sources in order beneath the source check, then one line per thing to fix.
 */
export const formatReport = (
  checks: readonly DoctorCheck[],
  sources: readonly SourceFinding[],
  used: SourceFinding | undefined,
): string => {
  const width = Math.max(...checks.map((c) => c.name.length))
  const sourceWidth = Math.max(...sources.map((s) => s.source.length))
  const stateWidth = Math.max(...sources.map((s) => s.state.length))
  const indent = ' '.repeat(width + 8)
  const lines: string[] = []
  for (const check of checks) {
    const [first, ...more] = check.detail.split('\n')
    lines.push(`${MARK[check.status]}  ${check.name.padEnd(width)}  ${first}`)
    for (const line of more) lines.push(`${indent}${line}`)
    if (check.name === 'source') {
      lines.push(`${indent}the chain, in the order it is tried:`)
      for (const s of sources)
        lines.push(
          `${indent}  ${s.source.padEnd(sourceWidth)}  ${s.state.padEnd(stateWidth)}  ${s.detail}${s === used ? '   <- used' : ''}`,
        )
    }
  }
  const fixes = checks.filter((c) => c.fix !== null)
  lines.push('')
  if (fixes.length === 0) lines.push('nothing to fix')
  else {
    lines.push('to fix:')
    for (const c of fixes) lines.push(`  ${c.name}: ${c.fix}`)
  }
  return lines.join('\n')
}
