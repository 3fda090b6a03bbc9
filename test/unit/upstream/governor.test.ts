import { describe, expect, it } from 'vitest'
import { createGovernor } from '../../../lib/upstream/governor.ts'
import { isVendError } from '../../../lib/errors.ts'

/** Virtual time: sleeps resolve in order of their wake-up time, and the clock jumps to it. */
const virtualClock = () => {
  let nowMs = 1_000_000
  const sleepers: Array<{ at: number; wake: () => void }> = []
  return {
    now: () => new Date(nowMs),
    sleep: (ms: number) => new Promise<void>((wake) => sleepers.push({ at: nowMs + ms, wake })),
    async run() {
      for (;;) {
        await new Promise((r) => setImmediate(r))
        if (sleepers.length === 0) return
        sleepers.sort((a, b) => a.at - b.at)
        const next = sleepers.shift()!
        nowMs = Math.max(nowMs, next.at)
        next.wake()
      }
    },
    get ms() {
      return nowMs
    },
  }
}

describe('STS governor', () => {
  it('1,000 simultaneous calls: never more than the rate in any second, the rest refused with Retry-After', async () => {
    const clock = virtualClock()
    const rate = 20
    const governor = createGovernor({ ratePerSecond: rate, now: clock.now, sleep: clock.sleep })
    const startedAt: number[] = []
    const refused: number[] = []
    const deadline = clock.ms + 10_000
    const all = Array.from({ length: 1000 }, () =>
      governor.acquire(deadline).then(
        () => void startedAt.push(clock.ms),
        (e: unknown) => void refused.push(isVendError(e) ? (e.retryAfterSeconds ?? -1) : -1),
      ),
    )
    await clock.run()
    await Promise.all(all)
    // Any window of one second holds at most `rate` calls, the first one included.
    for (const t of startedAt)
      expect(startedAt.filter((s) => s >= t && s < t + 1000).length).toBeLessThanOrEqual(rate)
    expect(startedAt.filter((s) => s === startedAt[0]).length).toBe(rate)
    expect(startedAt.every((t) => t <= deadline)).toBe(true)
    expect(startedAt.length).toBeLessThanOrEqual(rate * 11)
    expect(startedAt.length + refused.length).toBe(1000)
    expect(refused.length).toBeGreaterThan(0)
    expect(refused.every((s) => s >= 1)).toBe(true)
  })

  it('admits at once while under the rate', async () => {
    const clock = virtualClock()
    const governor = createGovernor({ ratePerSecond: 80, now: clock.now, sleep: clock.sleep })
    for (let i = 0; i < 10; i++) await governor.acquire(clock.ms)
    expect(governor.stats()).toEqual({ admitted: 10, waited: 0, refused: 0 })
  })
})
