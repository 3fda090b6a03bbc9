import { createSharedGovernor } from './shared-governor.ts'
import type { SharedState } from './shared-state.ts'
import { createRateLimiter } from '../limits/rate-limiter.ts'
import { createFairLanes, LOGIN_LANE, profileLane, SYSTEM_LANE } from '../upstream/fair-lanes.ts'
import { createGovernor } from '../upstream/governor.ts'

/** How a reload may change the budget's split. @internal */
export interface LaneShares {
  readonly maxShare: number
  readonly loginShare: number
  /** Minimum shares of the rate by profile name (`sts.lanes.priority`). */
  readonly priority?: Readonly<Record<string, number>>
}

/** The priority lanes of `shares`, by lane name. */
const priorityLanes = (shares: LaneShares): ReadonlyMap<string, number> =>
  new Map(Object.entries(shares.priority ?? {}).map(([name, share]) => [profileLane(name), share]))

/**
 * The one STS budget of an instance. It starts local, so the calls made while the configuration
 * is still being read (KMS references need credvend's own identity, which may need STS) are
 * paced too; once a shared store is open, the window is shared by every instance, and while the
 * store is down each instance keeps to its share of the rate. In front of it, fair lanes decide
 * whose call takes the next slot.
 * @internal
 */
export const createStsGovernor = (init: {
  readonly ratePerSecond: number
  readonly now: () => Date
  readonly sleep: (ms: number) => Promise<void>
  readonly elapsedMs: () => number
  /** How long a call may wait for its turn (`upstream.deadlineMs`). */
  readonly deadlineMs: number
  readonly lanes?: LaneShares
}) => {
  const { now, sleep } = init
  let { deadlineMs } = init
  let shares: LaneShares = init.lanes ?? { maxShare: 0.5, loginShare: 0.1 }
  let priority = priorityLanes(shares)
  let governor: Pick<ReturnType<typeof createGovernor>, 'run' | 'stats'> = createGovernor({
    ratePerSecond: init.ratePerSecond,
    now,
    sleep,
  })
  // Logins, which anyone can send, get a second's burst of their share and that rate after it.
  let loginRate = 0
  let loginLimit = createRateLimiter(null, { maxKeys: 1, now })
  const loginOverRate = () => {
    const rate = Math.max(1, Math.floor(init.ratePerSecond * shares.loginShare))
    if (rate !== loginRate) {
      loginRate = rate
      loginLimit = createRateLimiter({ perSecond: rate, burst: rate }, { maxKeys: 1, now })
    }
    return loginLimit.take(LOGIN_LANE)
  }
  const lanes = createFairLanes({
    run: (deadline, send) => governor.run(deadline, send),
    now,
    sleep,
    // A priority lane may hold its own share's worth when that is more.
    maxQueued: (lane) =>
      Math.max(
        1,
        Math.ceil(
          (init.ratePerSecond * deadlineMs * Math.max(shares.maxShare, priority.get(lane) ?? 0)) /
            1000,
        ),
      ),
    priority: () => priority,
    overRate: (lane) => (lane === LOGIN_LANE ? loginOverRate() : undefined),
  })
  return {
    /** Sends `send` in its lane's turn, or refuses with ERR_STS_THROTTLED past the deadline. */
    gate: <T>(send: () => Promise<T>, lane: string = SYSTEM_LANE): Promise<T> =>
      lanes.submit(lane, now().getTime() + deadlineMs, send),
    /** A reload's new deadline and shares apply from the next call on. */
    setDeadline(ms: number, laneShares?: LaneShares) {
      deadlineMs = ms
      if (laneShares) {
        shares = laneShares
        priority = priorityLanes(laneShares)
      }
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
    laneStats: () => lanes.stats(),
  }
}

/** @internal */
export type StsGovernor = ReturnType<typeof createStsGovernor>
