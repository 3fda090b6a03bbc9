import { describe, expect, it } from 'vitest'
import { createRateLimiter } from '../../../lib/limits/rate-limiter.ts'
import { createStsGovernor } from '../../../lib/store/sts-governor.ts'
import { createFairLanes, LOGIN_LANE, profileLane } from '../../../lib/upstream/fair-lanes.ts'

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
  options: {
    maxQueued?: number
    loginPerSecond?: number
    nowMs?: () => number
    priority?: () => ReadonlyMap<string, number>
  } = {},
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
    ...(options.priority ? { priority: options.priority } : {}),
  })
  const submit = (lane: string, name: string) =>
    lanes.submit(lane, 60_000, async () => {
      sent.push(name)
      return name
    })
  return { governor, sent, lanes, submit }
}

/** Five calls in one lane, two in another, one in a third, submitted in that order. */
const threeLanes = (submit: (lane: string, name: string) => Promise<string>) => [
  ...['a1', 'a2', 'a3', 'a4', 'a5'].map((n) => submit('jwt:a', n)),
  ...['b1', 'b2'].map((n) => submit('jwt:b', n)),
  submit('key:c', 'c1'),
]
/** Their order under round-robin alone: a1 went to the governor as it came, then a, b, c take turns. */
const THREE_LANES_ROUND_ROBIN = ['a1', 'a2', 'b1', 'c1', 'a3', 'b2', 'a4', 'a5']

describe('fair lanes', () => {
  it('give the next slot to the next lane with calls waiting, round-robin', async () => {
    const { governor, sent, submit } = setup()
    const calls = threeLanes(submit)
    await governor.grant(8)
    await Promise.all(calls)
    expect(sent).toEqual(THREE_LANES_ROUND_ROBIN)
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
      { lane: 'jwt:a', admitted: 3, refused: 1, queued: 0, started: 3, waitSeconds: 0 },
      { lane: 'jwt:b', admitted: 1, refused: 0, queued: 0, started: 1, waitSeconds: 0 },
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

  it('count each lane’s calls that started and the seconds they waited, by the injected clock', async () => {
    let nowMs = 0
    const { governor, lanes, submit } = setup({ nowMs: () => nowMs })
    // a1 goes to the governor at once; a2 and b1 wait in their lanes.
    const calls = [submit('jwt:a', 'a1'), submit('jwt:a', 'a2'), submit('jwt:b', 'b1')]
    nowMs = 2_000
    await governor.grant(1)
    nowMs = 5_000
    await governor.grant(1)
    nowMs = 5_500
    await governor.grant(1)
    await Promise.all(calls)
    // a1 went at 2 s, a2 (lane a's turn came first) at 5 s, b1 at 5.5 s.
    expect(lanes.stats()).toEqual([
      { lane: 'jwt:a', admitted: 2, refused: 0, queued: 0, started: 2, waitSeconds: 7 },
      { lane: 'jwt:b', admitted: 1, refused: 0, queued: 0, started: 1, waitSeconds: 5.5 },
    ])
  })
})

describe('fair lanes with a priority lane', () => {
  const SVC = 'profile:svc'
  /** 40 calls queued over 8 lanes behind one call holding the governor, then 5 in `svc`. */
  const burstThenSvc = async (priority?: () => ReadonlyMap<string, number>) => {
    const { governor, sent, lanes, submit } = setup(priority ? { priority } : {})
    const calls = [submit('system', 'x')]
    for (let l = 0; l < 8; l++)
      for (let c = 1; c <= 5; c++) calls.push(submit(`jwt:l${l}`, `l${l}c${c}`))
    for (let c = 1; c <= 5; c++) calls.push(submit(SVC, `s${c}`))
    return { governor, sent, lanes, calls }
  }
  /** 1-based slots the svc calls went in. */
  const svcSlots = (sent: string[]) => sent.flatMap((n, i) => (n.startsWith('s') ? [i + 1] : []))

  it('gives a lane with share 0.25 its calls within ceil(5 / 0.25) + 1 slots, where round-robin alone would not', async () => {
    const prioritised = await burstThenSvc(() => new Map([[SVC, 0.25]]))
    await prioritised.governor.grant(46)
    await Promise.all(prioritised.calls)
    // Credit starts at 1: svc takes the slot after x and pays it; growing by 0.25 after each
    // decision, it is whole again every fourth (s2, s3). Its round-robin turn, after the 8 lanes
    // queued before it, brings s4 and is paid for too, so s5 waits for a whole slot again.
    expect(prioritised.sent.slice(0, 18)).toEqual([
      'x',
      's1',
      'l0c1',
      'l1c1',
      'l2c1',
      's2',
      'l3c1',
      'l4c1',
      'l5c1',
      's3',
      'l6c1',
      'l7c1',
      's4',
      'l0c2',
      'l1c2',
      'l2c2',
      'l3c2',
      's5',
    ])
    expect(svcSlots(prioritised.sent)).toEqual([2, 6, 10, 13, 18])
    expect(Math.max(...svcSlots(prioritised.sent))).toBeLessThanOrEqual(Math.ceil(5 / 0.25) + 1)
    // The 40 others then go round-robin as before: every call was sent once.
    expect(prioritised.sent).toHaveLength(46)

    // The same submission without a priority: svc waits its turn behind all 8 lanes, each time.
    const plain = await burstThenSvc()
    await plain.governor.grant(46)
    await Promise.all(plain.calls)
    expect(svcSlots(plain.sent)).toEqual([10, 19, 28, 37, 46])
  })

  it.each([
    ['one lane at the largest share', { 'profile:svc': 0.8 }],
    ['two lanes whose shares add up to it', { 'profile:svc': 0.4, 'profile:ops': 0.4 }],
  ])(
    'leaves what the shares do not claim to the other lanes, however busy: %s',
    async (_name, shares) => {
      const SLOTS = 1_000
      const { governor, sent, submit } = setup({
        maxQueued: SLOTS,
        priority: () => new Map(Object.entries(shares)),
      })
      const lanes = [...Object.keys(shares), 'jwt:a', 'system']
      const calls = lanes.flatMap((lane) =>
        Array.from({ length: SLOTS }, (_, i) => submit(lane, `${lane}#${i}`)),
      )
      await governor.grant(SLOTS)
      const taken = (lane: string) => sent.filter((n) => n.startsWith(`${lane}#`)).length / SLOTS
      // Each priority lane gets its share, not more: its round-robin turns are paid for too.
      for (const [lane, share] of Object.entries(shares)) expect(taken(lane)).toBeCloseTo(share, 1)
      // The 0.2 the shares leave is split by the round-robin between the two other lanes.
      expect(taken('jwt:a')).toBeGreaterThanOrEqual(0.09)
      expect(taken('system')).toBeGreaterThanOrEqual(0.09)
      await governor.grant(lanes.length * SLOTS - SLOTS)
      await Promise.all(calls)
    },
  )

  it('sends a lone call of an idle priority lane next', async () => {
    const { governor, sent, submit } = setup({ priority: () => new Map([[SVC, 0.25]]) })
    const calls = [submit('system', 'x')]
    for (let l = 0; l < 8; l++)
      for (let c = 1; c <= 5; c++) calls.push(submit(`jwt:l${l}`, `l${l}c${c}`))
    await governor.grant(3)
    // x, l0c1 and l1c1 went; l2c1 already holds the governor's next slot.
    calls.push(submit(SVC, 's1'))
    await governor.grant(2)
    expect(sent).toEqual(['x', 'l0c1', 'l1c1', 'l2c1', 's1'])
    // Idle again, its credit regrows by 0.25 a decision: four decisions on, a lone call is next.
    await governor.grant(4)
    calls.push(submit(SVC, 's2'))
    await governor.grant(2)
    expect(sent.slice(5)).toEqual(['l3c1', 'l4c1', 'l5c1', 'l6c1', 'l7c1', 's2'])
    await governor.grant(40)
    await Promise.all(calls)
  })

  it('leaves every slot to the other lanes while the priority lanes are idle', async () => {
    const { governor, sent, submit } = setup({ priority: () => new Map([[SVC, 0.5]]) })
    const calls = threeLanes(submit)
    await governor.grant(8)
    await Promise.all(calls)
    // Exactly the round-robin of the lanes alone.
    expect(sent).toEqual(THREE_LANES_ROUND_ROBIN)
  })

  it('applies a changed share from the next decision', async () => {
    let priority: ReadonlyMap<string, number> = new Map()
    const { governor, sent, calls } = await burstThenSvc(() => priority)
    await governor.grant(3)
    // x, l0c1 and l1c1 went; l2c1 already holds the governor's next slot.
    expect(sent).toEqual(['x', 'l0c1', 'l1c1'])
    // A reload gives svc a share of 0.5: the next decision is its (credit 1), then every second.
    priority = new Map([[SVC, 0.5]])
    await governor.grant(5)
    expect(sent.slice(3)).toEqual(['l2c1', 's1', 'l3c1', 's2', 'l4c1'])
    // Another takes it away (s3 was decided before): svc waits for its round-robin turn again,
    // where with the share it would have gone after l5c1.
    priority = new Map()
    await governor.grant(5)
    expect(sent.slice(8)).toEqual(['s3', 'l5c1', 'l6c1', 'l7c1', 's4'])
    await governor.grant(40)
    await Promise.all(calls)
  })
})

describe('the STS governor’s lanes', () => {
  it('let a priority lane hold its own share of what the budget serves within the deadline, when above maxShare', async () => {
    const governor = createStsGovernor({
      ratePerSecond: 1,
      now: () => new Date(0),
      // The governor's next second never comes: every later call stays in line.
      sleep: () => new Promise(() => {}),
      elapsedMs: () => 0,
      deadlineMs: 60_000,
      lanes: { maxShare: 0.1, loginShare: 0.1, priority: { svc: 0.5 } },
    })
    const never = () => new Promise<never>(() => {})
    const gate = (lane: string) => void governor.gate(never, lane).catch(() => {})
    // One call goes at once, the next holds the governor; then 60 s × 1/s × 0.1 = 6 may wait in an
    // ordinary lane, 60 s × 1/s × 0.5 = 30 in svc's.
    const settled = () => new Promise((resolve) => setTimeout(resolve, 0))
    gate('system')
    gate('system')
    await settled()
    for (let i = 0; i < 7; i++) gate('jwt:a')
    for (let i = 0; i < 31; i++) gate(profileLane('svc'))
    await settled()
    const stats = governor.laneStats()
    expect(stats.find((l) => l.lane === 'jwt:a')).toMatchObject({ queued: 6, refused: 1 })
    expect(stats.find((l) => l.lane === 'profile:svc')).toMatchObject({
      queued: 30,
      refused: 1,
      minShare: 0.5,
    })
  })
})
