import { VendError } from '../errors.ts'

/**
 * A second, plus the millisecond Date may tick between the moment fetch puts a request on the
 * wire and the start this governor records just after it.
 */
const SPACING_MS = 1001

/** The governor's refusal: 503 with Retry-After, never retried within the request. @internal */
export const budgetExhausted = (waitMs: number) =>
  new VendError('ERR_STS_THROTTLED', 'the STS call budget is exhausted for now', {
    retryable: false,
    retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)),
  })

interface Start {
  atMs: number
}

/**
 * The STS governor: never more than `ratePerSecond` calls start in any one-second window. Each
 * call starts at least a second after the call `ratePerSecond` places before it (by the
 * pigeonhole principle, no window of a second can then hold more), so a second's worth goes at
 * once and the rest queue. Starts are the times callers really went, not the times planned: a
 * caller woken late pushes back the ones that depend on it. A call whose start would fall past
 * its deadline is refused at once (503, with Retry-After) instead of queueing forever; identical
 * work never reaches it twice, because single-flight sits in front.
 * @public
 */
export const createGovernor = (options: {
  ratePerSecond: number
  now: () => Date
  sleep: (ms: number) => Promise<void>
}) => {
  const size = Math.max(1, Math.floor(options.ratePerSecond))
  /** The last `size` starts, oldest at `head`. */
  let starts: Start[] = Array.from({ length: size }, () => ({ atMs: -Infinity }))
  let head = 0
  /** The longest wait any caller has accepted: a backlog can never legitimately exceed it. */
  let horizonMs = 0
  const counters = { admitted: 0, waited: 0, refused: 0 }
  const refuse = (startMs: number, nowMs: number) => {
    counters.refused++
    return budgetExhausted(startMs - nowMs)
  }
  const governor = {
    /**
     * Waits for a slot, then calls `send` in the same turn and records the start just after it,
     * never before the request went out; `deadlineMs` is absolute (epoch ms).
     */
    async run<T>(deadlineMs: number, send: () => Promise<T>): Promise<T> {
      const nowMs = options.now().getTime()
      horizonMs = Math.max(horizonMs, deadlineMs - nowMs)
      // A backlog longer than anyone would wait means the clock jumped back: start afresh.
      if (starts[(head + size - 1) % size]!.atMs - nowMs > horizonMs + 1000)
        starts = starts.map(() => ({ atMs: -Infinity }))
      const before = starts[head]!
      const planned = Math.max(nowMs, before.atMs + SPACING_MS)
      if (planned > deadlineMs) throw refuse(planned, nowMs)
      const mine: Start = { atMs: planned }
      starts[head] = mine
      head = (head + 1) % size
      counters.admitted++
      if (planned > nowMs) {
        counters.waited++
        await options.sleep(planned - nowMs)
      }
      // The call this one waits on may have gone late, and a timer may fire early by Date's clock
      // (Node schedules on the event loop's cached clock): keep a second from its real start, as
      // many times as it takes: under load the call it waits on can go late more than once, and a
      // fixed number of checks could let this one start early. The deadline ends the loop on a
      // real clock; a test's virtual sleep lets no time pass, so there a stalled clock does.
      for (let tries = 0; ; tries++) {
        const wokeMs = options.now().getTime()
        const needMs = Math.max(mine.atMs, before.atMs + SPACING_MS)
        if (wokeMs >= needMs) break
        if (needMs > deadlineMs) {
          // Hand the slot on as if unused: whoever waits on it keeps a second from `before`.
          mine.atMs = before.atMs
          counters.admitted--
          throw refuse(needMs, wokeMs)
        }
        mine.atMs = needMs
        await options.sleep(needMs - wokeMs)
        if (tries >= 2 && options.now().getTime() === wokeMs) break
      }
      // Recorded once `send` has put the request out (fetch is called synchronously inside it):
      // a pause in between (a GC, a busy loop) then counts against this start, never the next.
      const sent = send()
      mine.atMs = Math.max(mine.atMs, options.now().getTime())
      return sent
    },
    /** A slot with nothing to send in it: for tests of the pacing itself. */
    acquire: (deadlineMs: number): Promise<void> => governor.run(deadlineMs, async () => {}),
    stats: () => ({ ...counters }),
  }
  return governor
}

/** @public */
export type Governor = ReturnType<typeof createGovernor>
