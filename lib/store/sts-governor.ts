import { createSharedGovernor } from './shared-governor.ts'
import type { SharedState } from './shared-state.ts'
import { createGovernor } from '../upstream/governor.ts'

/**
 * The one STS budget of an instance. It starts local, so the calls made while the configuration
 * is still being read (KMS references need credvend's own identity, which may need STS) are
 * paced too; once a shared store is open, the window is shared by every instance, and while the
 * store is down each instance keeps to its share of the rate.
 * @internal
 */
export const createStsGovernor = (init: {
  readonly ratePerSecond: number
  readonly now: () => Date
  readonly sleep: (ms: number) => Promise<void>
  readonly elapsedMs: () => number
  /** How long a call may wait for its turn (`upstream.deadlineMs`). */
  readonly deadlineMs: number
}) => {
  const { now, sleep } = init
  let { deadlineMs } = init
  let governor: Pick<ReturnType<typeof createGovernor>, 'run' | 'stats'> = createGovernor({
    ratePerSecond: init.ratePerSecond,
    now,
    sleep,
  })
  return {
    /** Sends `send` in its turn, or refuses with ERR_STS_THROTTLED past the deadline. */
    gate: <T>(send: () => Promise<T>): Promise<T> =>
      governor.run(now().getTime() + deadlineMs, send),
    /** A reload's new deadline applies from the next call on. */
    setDeadline(ms: number) {
      deadlineMs = ms
    },
    share(shared: SharedState, maxInstances: number) {
      const localRate = Math.max(1, Math.floor(init.ratePerSecond / maxInstances))
      const local = createGovernor({ ratePerSecond: localRate, now, sleep })
      governor = createSharedGovernor({
        shared,
        ratePerSecond: init.ratePerSecond,
        local,
        now,
        sleep,
        elapsedMs: init.elapsedMs,
      })
    },
    stats: () => governor.stats(),
  }
}

/** @internal */
export type StsGovernor = ReturnType<typeof createStsGovernor>
