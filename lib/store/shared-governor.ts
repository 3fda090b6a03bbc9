import { budgetExhausted, type Governor } from '../upstream/governor.ts'
import { DOWN, type SharedState } from './shared-state.ts'

/**
 * How late past its slot a call may leave. Slots are spaced by a second plus this much, so a call
 * that leaves up to this late still keeps a full second from the call `rate` places after it.
 * Lateness is measured from the moment the slot was asked for, so a slow Redis round trip or a
 * busy event loop counts too; a call later than this takes a new slot (the old one stays spent).
 */
const LATE_MS = 200

/**
 * The STS governor shared by every instance through the store: the per-instance governor's
 * sliding window, kept on the store's clock, with slots 1.2 s apart per `ratePerSecond` places.
 * While the store is down each instance falls back to `local`, a per-instance governor at its
 * share of the rate, so the instances together still stay under the quota.
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
    return budgetExhausted(waitMs)
  }
  const governor = {
    async run<T>(deadlineMs: number, send: () => Promise<T>): Promise<T> {
      let waited = false
      for (;;) {
        const askedMs = init.elapsedMs()
        const slot = await init.shared.reserveSlot(
          init.ratePerSecond,
          1000 + LATE_MS,
          Math.max(0, deadlineMs - init.now().getTime()),
        )
        if (slot === DOWN) return init.local.run(deadlineMs, send)
        if (!slot.granted) throw refuse(slot.waitMs)
        // The slot is the store's now plus waitMs, and the store's now came after askedMs: sleeping
        // waitMs from the answer never leaves early, and leaving by askedMs + waitMs + LATE_MS
        // never leaves more than LATE_MS late.
        if (slot.waitMs > 0) {
          waited = true
          await init.sleep(slot.waitMs)
        }
        if (init.elapsedMs() - askedMs <= slot.waitMs + LATE_MS) {
          counters.admitted++
          if (waited) counters.waited++
          return send()
        }
      }
    },
    acquire: (deadlineMs: number): Promise<void> => governor.run(deadlineMs, async () => {}),
    /** Decisions here and, while the store was down, the local governor's. */
    stats: () => {
      const local = init.local.stats()
      return {
        admitted: counters.admitted + local.admitted,
        waited: counters.waited + local.waited,
        refused: counters.refused + local.refused,
      }
    },
  }
  return governor
}
