import { VendError } from '../errors.ts'

/**
 * The STS governor: at most `ratePerSecond` calls, with a burst of one second's worth, paced by
 * the generic cell-rate algorithm. A call that would have to wait past its deadline is refused at
 * once (503, retryable later) instead of queueing forever; identical work never reaches it twice,
 * because single-flight sits in front.
 * @public
 */
export const createGovernor = (options: { ratePerSecond: number; now: () => Date; sleep: (ms: number) => Promise<void> }) => {
  const intervalMs = 1000 / options.ratePerSecond
  const burstMs = 1000 - intervalMs
  let theoreticalMs = 0
  /** The longest wait any caller has accepted: a backlog can never legitimately exceed it. */
  let horizonMs = 0
  const counters = { admitted: 0, waited: 0, refused: 0 }
  return {
    /** Waits for a slot; `deadlineMs` is absolute (epoch ms). */
    async acquire(deadlineMs: number): Promise<void> {
      const nowMs = options.now().getTime()
      horizonMs = Math.max(horizonMs, deadlineMs - nowMs)
      // A backlog longer than anyone would wait means the clock jumped back: start afresh.
      if (theoreticalMs - nowMs > horizonMs + 1000) theoreticalMs = nowMs
      const tat = Math.max(theoreticalMs, nowMs)
      const startMs = Math.max(nowMs, tat - burstMs)
      if (startMs > deadlineMs) {
        counters.refused++
        throw new VendError('ERR_STS_THROTTLED', 'the STS call budget is exhausted for now', { retryable: false, retryAfterSeconds: Math.max(1, Math.ceil((startMs - nowMs) / 1000)) })
      }
      theoreticalMs = tat + intervalMs
      counters.admitted++
      if (startMs > nowMs) {
        counters.waited++
        await options.sleep(startMs - nowMs)
      }
    },
    stats: () => ({ ...counters }),
  }
}

/** @public */
export type Governor = ReturnType<typeof createGovernor>
