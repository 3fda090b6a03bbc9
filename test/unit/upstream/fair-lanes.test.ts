import { describe, expect, it } from 'vitest'
import { createRateLimiter } from '../../../lib/limits/rate-limiter.ts'
import { createFairLanes, LOGIN_LANE } from '../../../lib/upstream/fair-lanes.ts'

/** A governor that grants one slot each time the test says so: the order is all that is seen. */
const steppedGovernor = () => {
  const waiting: Array<() => void> = []
  return {
    run: <T>(_deadlineMs: number, send: () => Promise<T>): Promise<T> =>
      new Promise<void>((granted) => waiting.push(granted)).then(send),
    async grant(slots: number) {
      for (let i = 0; i < slots; i++) {
        waiting.shift()?.()
        // Let the granted call run and the lanes hand over the next one.
        for (let t = 0; t < 5; t++) await Promise.resolve()
      }
    },
  }
}

const setup = (
  options: { maxQueued?: number; loginPerSecond?: number; nowMs?: () => number } = {},
) => {
  const governor = steppedGovernor()
  const sent: string[] = []
  const now = () => new Date(options.nowMs?.() ?? 0)
  // The login lane's own rate, as the STS governor sets it: a second's burst, then that rate.
  const perSecond = options.loginPerSecond ?? 1
  const loginLimit = createRateLimiter({ perSecond, burst: perSecond }, { maxKeys: 1, now })
  const lanes = createFairLanes({
    run: governor.run,
    now,
    sleep: () => new Promise(() => {}),
    maxQueued: () => options.maxQueued ?? 100,
    overRate: (lane) => (lane === LOGIN_LANE ? loginLimit.take(lane) : undefined),
  })
  const submit = (lane: string, name: string) =>
    lanes.submit(lane, 60_000, async () => {
      sent.push(name)
      return name
    })
  return { governor, sent, lanes, submit }
}

describe('fair lanes', () => {
  it('give the next slot to the next lane with calls waiting, round-robin', async () => {
    const { governor, sent, submit } = setup()
    const calls = [
      ...['a1', 'a2', 'a3', 'a4', 'a5'].map((n) => submit('jwt:a', n)),
      ...['b1', 'b2'].map((n) => submit('jwt:b', n)),
      submit('key:c', 'c1'),
    ]
    await governor.grant(8)
    await Promise.all(calls)
    expect(sent).toEqual(['a1', 'a2', 'b1', 'c1', 'a3', 'b2', 'a4', 'a5'])
  })

  it('refuse a call beyond its lane’s queue at once, leaving other lanes untouched', async () => {
    const { governor, lanes, submit } = setup({ maxQueued: 2 })
    const a = ['a1', 'a2', 'a3', 'a4'].map((n) =>
      submit('jwt:a', n).catch((e: Error & { code?: string }) => e.code),
    )
    const b = submit('jwt:b', 'b1')
    await governor.grant(4)
    // a1 went to the governor at once; a2 and a3 fill the lane; a4 is refused.
    expect(await Promise.all(a)).toEqual(['a1', 'a2', 'a3', 'ERR_STS_THROTTLED'])
    expect(await b).toBe('b1')
    expect(lanes.stats()).toEqual([
      { lane: 'jwt:a', admitted: 3, refused: 1, queued: 0 },
      { lane: 'jwt:b', admitted: 1, refused: 0, queued: 0 },
    ])
  })

  it('hold logins to their own rate, a second’s burst, whatever else is idle', async () => {
    let nowMs = 0
    const { governor, submit } = setup({ loginPerSecond: 2, nowMs: () => nowMs })
    const first = [1, 2, 3].map((i) =>
      submit(LOGIN_LANE, `l${i}`).catch((e: Error & { code?: string }) => e.code),
    )
    await governor.grant(3)
    expect(await Promise.all(first)).toEqual(['l1', 'l2', 'ERR_STS_THROTTLED'])
    nowMs = 1_000
    const later = submit(LOGIN_LANE, 'l4')
    await governor.grant(1)
    expect(await later).toBe('l4')
  })
})
