import { budgetExhausted } from './governor.ts'

/** The lane of the signed Alibaba login's GetCallerIdentity calls. @internal */
export const LOGIN_LANE = 'login'
/** credvend's own calls: its source identity, hub sessions, configuration secrets. @internal */
export const SYSTEM_LANE = 'system'

interface Waiting {
  readonly deadlineMs: number
  readonly send: () => Promise<unknown>
  readonly resolve: (value: unknown) => void
  readonly reject: (error: unknown, counted?: boolean) => void
  settled: boolean
}

interface Lane {
  readonly queue: Waiting[]
  admitted: number
  refused: number
  /** Whether the lane is in `turns` (at most once, however often it emptied and refilled). */
  inTurns: boolean
}

/**
 * Fair queueing in front of the STS governor. Every call belongs to a lane — one per JWT issuer,
 * per API key, per Alibaba account, one for signed logins and one for credvend's own calls — and
 * the governor's slots go round-robin over the lanes that have calls waiting, so a flood in one
 * lane costs every other lane at most one slot per turn. A lane may hold at most `maxQueued`
 * waiting calls (its bounded share of what the deadline lets the budget serve); beyond that, and
 * past a call's deadline, the call is refused with ERR_STS_THROTTLED. A lane may have its own
 * rate besides (`overRate`): the login lane's keeps unauthenticated callers to a small share.
 * @internal
 */
export const createFairLanes = (init: {
  /** Sends in the governor's next slot; resolves when `send` has run (or refuses). */
  readonly run: <T>(deadlineMs: number, send: () => Promise<T>) => Promise<T>
  readonly now: () => Date
  readonly sleep: (ms: number) => Promise<void>
  readonly maxQueued: () => number
  /**
   * A lane's own rate limit, asked before it queues: seconds to wait when the lane is over it
   * (the login lane's small share), undefined to go on.
   */
  readonly overRate?: (lane: string) => number | undefined
}) => {
  const lanes = new Map<string, Lane>()
  /** Lanes with calls waiting, in the order they take their next turn. */
  const turns: string[] = []
  let pumping = false

  const laneOf = (name: string): Lane => {
    let lane = lanes.get(name)
    if (!lane) lanes.set(name, (lane = { queue: [], admitted: 0, refused: 0, inTurns: false }))
    return lane
  }

  const expire = (lane: Lane, waiting: Waiting) => {
    waiting.settled = true
    lane.refused++
    waiting.reject(budgetExhausted(0), false)
  }

  const refuse = (lane: Lane, waitMs: number) => {
    lane.refused++
    return budgetExhausted(waitMs)
  }

  const takeTurn = (name: string, lane: Lane) => {
    if (lane.inTurns) return
    lane.inTurns = true
    turns.push(name)
  }

  /** The next lane's oldest call; calls past their deadline are refused on the way. */
  const next = (): Waiting | undefined => {
    while (turns.length > 0) {
      const name = turns.shift()!
      const lane = laneOf(name)
      lane.inTurns = false
      const waiting = lane.queue.shift()
      if (lane.queue.length > 0) takeTurn(name, lane)
      if (!waiting || waiting.settled) continue
      if (init.now().getTime() > waiting.deadlineMs) {
        expire(lane, waiting)
        continue
      }
      return waiting
    }
    return undefined
  }

  /** Hands calls to the governor one at a time: the next lane's call waits for the last to start. */
  const pump = async () => {
    if (pumping) return
    pumping = true
    try {
      for (let waiting = next(); waiting; waiting = next()) {
        const call = waiting
        await new Promise<void>((started) => {
          init
            .run(call.deadlineMs, () => {
              started()
              return call.send()
            })
            .then(call.resolve, call.reject)
            .finally(() => {
              call.settled = true
              started()
            })
        })
      }
    } finally {
      pumping = false
    }
  }

  return {
    /** Sends `send` in its lane's turn, or refuses with ERR_STS_THROTTLED. */
    submit<T>(laneName: string, deadlineMs: number, send: () => Promise<T>): Promise<T> {
      const lane = laneOf(laneName)
      const nowMs = init.now().getTime()
      const waitSeconds = init.overRate?.(laneName)
      if (waitSeconds !== undefined) return Promise.reject(refuse(lane, waitSeconds * 1000))
      if (lane.queue.length >= init.maxQueued())
        return Promise.reject(refuse(lane, deadlineMs - nowMs))
      return new Promise<T>((resolve, reject) => {
        const waiting: Waiting = {
          deadlineMs,
          send,
          resolve: (value) => {
            lane.admitted++
            resolve(value as T)
          },
          reject: (error, counted = true) => {
            if (counted && isThrottled(error)) lane.refused++
            else if (counted) lane.admitted++
            reject(error)
          },
          settled: false,
        }
        lane.queue.push(waiting)
        takeTurn(laneName, lane)
        void pump()
        // Not handed on at once (another call holds the governor): if it still waits at its
        // deadline it is refused where it stands. A clock that has not reached the deadline (a
        // virtual sleep in tests) leaves it to the turn that finds it late.
        if (!lane.queue.includes(waiting)) return
        void init.sleep(Math.max(0, deadlineMs - nowMs)).then(() => {
          const at = lane.queue.indexOf(waiting)
          if (at < 0 || waiting.settled || init.now().getTime() < deadlineMs) return
          lane.queue.splice(at, 1)
          expire(lane, waiting)
        })
      })
    },
    /** Per lane: calls admitted to STS, calls refused, calls waiting now. */
    stats: () =>
      [...lanes].map(([lane, l]) => ({
        lane,
        admitted: l.admitted,
        refused: l.refused,
        queued: l.queue.length,
      })),
  }
}

const isThrottled = (error: unknown) =>
  typeof error === 'object' &&
  error !== null &&
  (error as { code?: unknown }).code === 'ERR_STS_THROTTLED'
