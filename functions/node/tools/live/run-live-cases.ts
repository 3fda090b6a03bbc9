import { isVendError } from '../../../../lib/errors.ts'
import { chainedDurationCase } from './chained-duration-case.ts'
import { externalIdCases } from './external-id-cases.ts'
import {
  failed,
  formatVerdict,
  type LiveCase,
  type LiveContext,
  type Verdict,
} from './live-case.ts'
import { limitCases } from './limit-cases.ts'
import { rotationOverlapCase } from './rotation-overlap-case.ts'
import { signatureCases } from './signature-cases.ts'

/** Every case, in the order of the list. */
export const LIVE_CASES: readonly LiveCase[] = [
  ...externalIdCases,
  ...signatureCases,
  ...limitCases,
  chainedDurationCase,
  rotationOverlapCase,
]

/** An unexpected failure inside a case: VendError messages are fixed text; others show their name only. */
const crashed = (error: unknown): Verdict =>
  failed(
    isVendError(error)
      ? error.message
      : `unexpected ${error instanceof Error ? error.name : 'failure'}`,
  )

/**
 * Runs the cases one after another (a burst could meet throttling, which would settle nothing),
 * printing each line as it is known. Returns the exit code: 0 when every case that ran holds.
 */
export const runLiveCases = async (
  ctx: LiveContext,
  print: (line: string) => void,
  cases: readonly LiveCase[] = LIVE_CASES,
): Promise<0 | 1> => {
  const tally = { holds: 0, differs: 0, skipped: 0, error: 0 }
  for (const c of cases) {
    const verdict = await c.run(ctx).catch(crashed)
    tally[verdict.kind]++
    print(formatVerdict(c, verdict))
  }
  print(
    `${cases.length} cases: ${tally.holds} hold, ${tally.differs} differ, ${tally.skipped} skipped, ${tally.error} got no answer`,
  )
  return tally.differs + tally.error === 0 ? 0 : 1
}
