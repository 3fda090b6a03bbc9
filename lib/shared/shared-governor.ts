import { VendError } from '../errors.ts'
import type { Governor } from '../upstream/governor.ts'
import { DOWN, type SharedState } from './shared-state.ts'

/**
 * How late past its slot a call may leave. Slots are spaced by a second plus this much, so a call
 * that leaves up to this late still keeps a full second from the call `rate` places after it.
 */
const LATE_MS = 100
const TRIES = 3

/**
 * The STS governor shared by every instance through the store: the same sliding window as the
 * per-instance governor, kept on the store's clock. While the store is down each instance falls
 * back to `local`, a per-instance governor at its share of the rate, so the instances together
 * still stay under the quota.
 * @internal
 */
export const createSharedGovernor = (init: {
  readonly shared: SharedState
  readonly ratePerSecond: number
  readonly local: Governor
  readonly now: () => Date
  readonly sleep: (ms: number) => Promise<void>
  readonly elapsedMs: () => number
}) => {
  const counters = { admitted: 0, waited: 0, refused: 0 }
  const refuse = (waitMs: number) => {
    counters.refused++
    return new VendError('ERR_STS_THROTTLED', 'the STS call budget is exhausted for now', { retryable: false, retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)) })
  }
  const governor = {
    async run<T>(deadlineMs: number, send: () => Promise<T>): Promise<T> {
      for (let tries = 0; tries < TRIES; tries++) {
        const slot = await init.shared.reserveSlot(init.ratePerSecond, 1000 + LATE_MS, Math.max(0, deadlineMs - init.now().getTime()))
        if (slot === DOWN) return init.local.run(deadlineMs, send)
        if (!slot.granted) throw refuse(slot.waitMs)
        if (slot.waitMs <= 0) {
          counters.admitted++
          return send()
        }
        counters.waited++
        const sleptFromMs = init.elapsedMs()
        // One more millisecond: a timer may fire up to a millisecond early by the clock it is read with.
        await init.sleep(slot.waitMs + 1)
        if (init.elapsedMs() - sleptFromMs <= slot.waitMs + 1 + LATE_MS) {
          counters.admitted++
          return send()
        }
        // Woke too late to keep the window: that slot is spent, take another.
      }
      throw refuse(1000)
    },
    acquire: (deadlineMs: number): Promise<void> => governor.run(deadlineMs, async () => {}),
    /** Decisions here and, while the store was down, the local governor's. */
    stats: () => {
      const local = init.local.stats()
      return { admitted: counters.admitted + local.admitted, waited: counters.waited + local.waited, refused: counters.refused + local.refused }
    },
  }
  return governor
}
