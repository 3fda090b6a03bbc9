import type { CoreDeps } from '../runtime/deps.ts'

/** The vend path also waits between retries and draws jitter: both injected. @public */
export interface VendDeps extends CoreDeps {
  readonly sleep: (ms: number) => Promise<void>
  readonly random: () => number
  /** A monotonic clock in milliseconds for latency histograms; the wall clock when absent. */
  readonly elapsedMs?: () => number
}
