import { budgetExhausted } from './governor.ts'

/** The lane of the signed Alibaba login's GetCallerIdentity calls. @internal */
export const LOGIN_LANE = 'login'
/** credvend's own calls: its source identity, hub sessions, configuration secrets. @internal */
export const SYSTEM_LANE = 'system'
/** The lane of a profile given a minimum share (`sts.lanes.priority`), whoever its caller. @internal */
export const profileLane = (profile: string): string => `profile:${profile}`

interface Waiting {
  readonly lane: Lane
  /** When it was submitted (epoch ms): its wait for its turn is counted from here. */
  readonly submittedMs: number
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
  /** Calls handed to STS, and the milliseconds they waited between submit and going out. */
  started: number
  waitedMs: number
  /**
   * A priority lane's credit, in governor slots: it grows by the lane's share after every slot
   * handed on (to at most 1 while the lane is idle, never below -1) and pays 1 for each slot the
   * lane takes. Starts at 1, so an idle lane's first call goes next.
   */
  credit: number
  /** Whether the lane is in `turns` (at most once, however often it emptied and refilled). */
  inTurns: boolean
}

interface PriorityLane {
  readonly lane: Lane
  readonly share: number
}

/**
 * Fair queueing in front of the STS governor. Every call belongs to a lane — one per JWT issuer,
 * per API key, per Alibaba account, one for signed logins and one for credvend's own calls — and
 * the governor's slots go round-robin over the lanes that have calls waiting, so a flood in one
 * lane costs every other lane at most one slot per turn. A lane may hold at most `maxQueued`
 * waiting calls (its bounded share of what the deadline lets the budget serve); beyond that, and
 * past a call's deadline, the call is refused with ERR_STS_THROTTLED. A lane may have its own
 * rate besides (`overRate`): the login lane's keeps unauthenticated callers to a small share.
 * A priority lane (a profile given a minimum share) also takes a slot ahead of the round-robin
 * whenever its credit has earned one, so a burst elsewhere cannot hold it below its share; while
 * it is idle, everyone else gets every slot.
 * @internal
 */
export const createFairLanes = (init: {
  /** Sends in the governor's next slot; resolves when `send` has run (or refuses). */
  readonly run: <T>(deadlineMs: number, send: () => Promise<T>) => Promise<T>
  readonly now: () => Date
  readonly sleep: (ms: number) => Promise<void>
  /** How many calls a lane may hold waiting. */
  readonly maxQueued: (lane: string) => number
  /**
   * Lanes with a minimum share of the slots (0 < share, all together below 1), read at every
   * decision so a reload applies from the next one. Return the same map until it changes.
   */
  readonly priority?: () => ReadonlyMap<string, number>
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
    if (!lane)
      lanes.set(
        name,
        (lane = {
          queue: [],
          admitted: 0,
          refused: 0,
          started: 0,
          waitedMs: 0,
          credit: 1,
          inTurns: false,
        }),
      )
    return lane
  }

  /** The configured priority lanes, rebuilt only when the configured map changes. */
  const noPriority: ReadonlyMap<string, number> = new Map()
  let priorityMap = noPriority
  let priorityLanes: PriorityLane[] = []
  const priorities = () => {
    const map = init.priority?.() ?? noPriority
    if (map !== priorityMap) {
      priorityMap = map
      priorityLanes = [...map].map(([name, share]) => ({ lane: laneOf(name), share }))
    }
    return priorityLanes
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

  /**
   * The priority lane owed this slot: of those with calls waiting and a whole slot of credit, the
   * one with the most.
   */
  const owed = (configured: readonly PriorityLane[]): Lane | undefined => {
    let best: Lane | undefined
    for (let i = 0; i < configured.length; i++) {
      const { lane } = configured[i]!
      if (lane.queue.length > 0 && lane.credit >= 1 && (!best || lane.credit > best.credit))
        best = lane
    }
    return best
  }

  /**
   * Whether a call just taken from its lane may still go: one already settled is dropped, one
   * past its deadline is refused here.
   */
  const stillDue = (lane: Lane, waiting: Waiting): boolean => {
    if (waiting.settled) return false
    if (init.now().getTime() <= waiting.deadlineMs) return true
    expire(lane, waiting)
    return false
  }

  /** Takes `lane`'s oldest live call ahead of its turn. */
  const ahead = (lane: Lane): Waiting | undefined => {
    for (let waiting = lane.queue.shift(); waiting; waiting = lane.queue.shift())
      if (stillDue(lane, waiting)) return waiting
    return undefined
  }

  /** The next lane's oldest call, round-robin; calls past their deadline are refused on the way. */
  const roundRobin = (): Waiting | undefined => {
    while (turns.length > 0) {
      const name = turns.shift()!
      const lane = laneOf(name)
      lane.inTurns = false
      const waiting = lane.queue.shift()
      if (lane.queue.length > 0) takeTurn(name, lane)
      if (waiting && stillDue(lane, waiting)) return waiting
    }
    return undefined
  }

  /**
   * The next call: the slot a priority lane's credit has earned, else the round-robin's. After
   * each slot handed on, every priority lane's credit grows by its share, and the lane that took
   * the slot pays one, however it got it (ahead, or on its round-robin turn). A lane with calls
   * waiting keeps what it earns beyond a slot, so over N decisions it gets at least
   * floor(N × share) slots; and because every slot it takes is paid for, it gets more only on its
   * round-robin turns, never by going ahead, so the shares it does not take stay for everyone
   * else. Credit never falls below -1 (a lane whose turns already give it more than its share
   * does not build a debt), and an idle lane banks at most one slot, which sends its next lone
   * call at once.
   */
  const next = (): Waiting | undefined => {
    if (turns.length === 0) return undefined
    const configured = priorities()
    const priority = owed(configured)
    const waiting = (priority && ahead(priority)) || roundRobin()
    if (!waiting) return undefined
    for (let i = 0; i < configured.length; i++) {
      const { lane, share } = configured[i]!
      const earned = lane.credit + share - (lane === waiting.lane ? 1 : 0)
      lane.credit = lane.queue.length > 0 ? Math.max(-1, earned) : Math.min(1, earned)
    }
    return waiting
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
              call.lane.started++
              call.lane.waitedMs += Math.max(0, init.now().getTime() - call.submittedMs)
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
      if (lane.queue.length >= init.maxQueued(laneName))
        return Promise.reject(refuse(lane, deadlineMs - nowMs))
      return new Promise<T>((resolve, reject) => {
        const waiting: Waiting = {
          lane,
          submittedMs: nowMs,
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
    /**
     * Per lane: calls admitted to STS, calls refused, calls waiting now, calls started and the
     * seconds they waited for their turn in all, and a priority lane's minimum share. Every
     * configured priority lane is listed, with or without calls.
     */
    stats: () => {
      priorities()
      const configured = priorityMap
      return [...lanes].map(([lane, l]) => ({
        lane,
        admitted: l.admitted,
        refused: l.refused,
        queued: l.queue.length,
        started: l.started,
        waitSeconds: l.waitedMs / 1000,
        minShare: configured.get(lane),
      }))
    },
  }
}

const isThrottled = (error: unknown) =>
  typeof error === 'object' &&
  error !== null &&
  (error as { code?: unknown }).code === 'ERR_STS_THROTTLED'
