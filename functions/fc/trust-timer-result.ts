import type { TrustRunResult } from '../../lib/partners/trust-run.ts'

/**
 * What a timer trigger's invocation answers: how many partner roles came out each way, or that
 * no run was due. Counts only: which partner is loose goes to the log and /metrics, never into an
 * answer that a misrouted request could read.
 */
export type TrustTimerResult = {
  readonly partnerTrust:
    'not due' | Readonly<Record<TrustRunResult['outcome'], number> & { readonly checked: number }>
}

/** Counts a run's results by outcome. */
export const trustTimerResult = (
  results: readonly TrustRunResult[] | undefined,
): TrustTimerResult => {
  if (!results) return { partnerTrust: 'not due' }
  const counts = { checked: results.length, ok: 0, failed: 0, unreachable: 0, inconclusive: 0 }
  for (const { outcome } of results) counts[outcome]++
  return { partnerTrust: counts }
}
