import type { CoreDeps } from '../../../../lib/runtime/deps.ts'
import type { LiveTarget } from './live-target.ts'

/**
 * What one case found. `error` is for a call that got no answer at all (timeout, network, an
 * unreadable reply): that settles nothing, so it is neither `holds` nor `differs`, but it still
 * fails the run — a silent pass would be worse than a noisy one.
 */
export type Verdict =
  | { readonly kind: 'holds'; readonly seen: string }
  | { readonly kind: 'differs'; readonly seen: string; readonly expected: string }
  | { readonly kind: 'skipped'; readonly why: string }
  | { readonly kind: 'error'; readonly why: string }

/** Where the cases run and with what. */
export interface LiveContext {
  readonly target: LiveTarget
  readonly deps: CoreDeps
}

/** One conformance case: an assumption of the emulator put to the real service. */
export interface LiveCase {
  readonly id: string
  /** Verbatim text from the behaviour column of the faithfulness table (lib/emulator/README.md). */
  readonly row: string
  readonly run: (ctx: LiveContext) => Promise<Verdict>
}

export const holds = (seen: string): Verdict => ({ kind: 'holds', seen })
export const differs = (seen: string, expected: string): Verdict => ({
  kind: 'differs',
  seen,
  expected,
})
export const skipped = (why: string): Verdict => ({ kind: 'skipped', why })
export const failed = (why: string): Verdict => ({ kind: 'error', why })

/** One line per case: its id, the verdict with what was seen, and the table row it settles. */
export const formatVerdict = (c: LiveCase, v: Verdict): string => {
  const text =
    v.kind === 'holds'
      ? `holds (${v.seen})`
      : v.kind === 'differs'
        ? `differs: ${v.seen}, where the emulator assumes ${v.expected}`
        : v.kind === 'skipped'
          ? `skipped: ${v.why}`
          : `error: ${v.why}`
  return `${c.id}: ${text} — row: ${c.row}`
}
