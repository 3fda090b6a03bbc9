import { createRequire } from 'node:module'
import { setImmediate as realSetImmediate } from 'node:timers'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import {
  createStsRefresher,
  type StsCredentials,
  type StsRefresherOptions,
  type VendResponse,
} from '../../../lib/browser/oss-sts-refresher.js'

const S = 1000
const EXPIRES_IN = 900 * S
const REFRESH_AFTER = 450 * S
const LATENCY = 300 // ms per fetch: the server mints its answer half-way through
const SECRET = 'S3cretS3cretS3cretS3cretS3cret'

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z')
const flush = () => new Promise<void>((resolve) => realSetImmediate(resolve))

/**
 * A fake world: a monotonic clock and timer queue the test drives, a server clock that runs at the
 * same rate from a sub-second offset, and a client wall clock (Date, faked) that is `skewMs` off.
 */
class World {
  mono = 0
  skewMs = 0
  readonly serverEpoch = Date.UTC(2026, 10, 22, 10, 0, 0) + 777
  private timers: Array<{ id: number; at: number; fn: () => void }> = []
  private nextId = 1

  serverNow = () => this.serverEpoch + this.mono
  now = () => this.mono
  setTimer = (fn: () => void, ms: number) => {
    const id = this.nextId++
    this.timers.push({ id, at: this.mono + ms, fn })
    return id
  }
  clearTimer = (id: unknown) => {
    this.timers = this.timers.filter((t) => t.id !== id)
  }
  pending = () => this.timers.length

  private syncWallClock() {
    vi.setSystemTime(this.serverNow() + this.skewMs)
  }

  /** Advances to `t`, firing due timers in order and letting promises settle after each. */
  async advanceTo(t: number) {
    await flush()
    for (;;) {
      const due = this.timers.filter((x) => x.at <= t).sort((a, b) => a.at - b.at || a.id - b.id)[0]
      if (!due) break
      this.timers = this.timers.filter((x) => x !== due)
      this.mono = Math.max(this.mono, due.at)
      this.syncWallClock()
      due.fn()
      await flush()
    }
    this.mono = Math.max(this.mono, t)
    this.syncWallClock()
    await flush()
  }

  /** Runs timers until `p` settles (e.g. a fetch in flight), failing on deadlock. */
  async settle<T>(p: Promise<T>): Promise<T> {
    let done = false
    p.then(
      () => {
        done = true
      },
      () => {
        done = true
      },
    )
    await flush()
    while (!done) {
      const next = Math.min(...this.timers.map((x) => x.at))
      if (!Number.isFinite(next)) throw new Error('deadlock: promise pending and no timers')
      await this.advanceTo(next)
    }
    return p
  }
}

interface Minted {
  body: VendResponse
  fetchStartServer: number
  mintedServer: number
}

/** A fake credvend: mints from the SERVER clock; `script` can fail or reshape answers. */
const fakeServer = (
  world: World,
  script: (n: number, body: VendResponse) => VendResponse | Error | 'hang' = (_n, body) => body,
) => {
  const minted: Minted[] = []
  const byKey = new Map<string, VendResponse>()
  let calls = 0
  const fetchCredentials = () => {
    const n = ++calls
    const fetchStartServer = world.serverNow()
    return new Promise<unknown>((resolve, reject) => {
      world.setTimer(() => {
        const st = Math.floor(world.serverNow() / S) * S
        const body: VendResponse = {
          Code: 'Success',
          AccessKeyId: `STS.key${n}`,
          AccessKeySecret: `${SECRET}-${n}`,
          SecurityToken: `CAIS-token-${n}`,
          ServerTime: iso(st),
          Expiration: iso(st + EXPIRES_IN),
          RefreshAfter: iso(st + REFRESH_AFTER),
          RoleSessionName: 'jwt.web.alice',
          Bucket: 'credvend-avatars',
          Region: 'oss-cn-hangzhou',
          Endpoint: 'https://oss-cn-hangzhou.aliyuncs.com',
          Prefix: 'avatars/alice/',
        }
        const answer = script(n, body)
        if (answer === 'hang') return
        if (!(answer instanceof Error)) {
          minted.push({ body: answer, fetchStartServer, mintedServer: world.serverNow() })
          byKey.set(answer.AccessKeyId, answer)
        }
        world.setTimer(
          () =>
            answer instanceof Error ? reject(answer) : resolve(JSON.parse(JSON.stringify(answer))),
          LATENCY / 2,
        )
      }, LATENCY / 2)
    })
  }
  return { fetchCredentials, minted, byKey, calls: () => calls }
}

const make = (
  world: World,
  server: ReturnType<typeof fakeServer>,
  extra: Partial<StsRefresherOptions> = {},
) =>
  createStsRefresher({
    fetchCredentials: server.fetchCredentials,
    now: world.now,
    setTimer: world.setTimer,
    clearTimer: world.clearTimer,
    ...extra,
  })

/** Settles `p` in the fake world and returns what it rejected with (fails if it resolved). */
const rejection = async (p: Promise<unknown>): Promise<Error> => {
  const outcome = await world.settle(p).then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  )
  if (!('error' in outcome) || !(outcome.error instanceof Error))
    throw new Error(`expected a rejection with an Error, got ${JSON.stringify(outcome)}`)
  return outcome.error
}

const credsOf = (b: VendResponse): StsCredentials => ({
  accessKeyId: b.AccessKeyId,
  accessKeySecret: b.AccessKeySecret,
  stsToken: b.SecurityToken,
})

let world: World
beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'] })
  world = new World()
  vi.setSystemTime(world.serverNow())
})
afterEach(() => {
  vi.useRealTimers()
})

describe('browser STS refresher: single flight', () => {
  it('50 concurrent first calls share exactly one fetch and get the same credentials', async () => {
    const server = fakeServer(world)
    const r = make(world, server)
    const all = await world.settle(
      Promise.all(Array.from({ length: 50 }, () => r.refreshSTSToken())),
    )
    expect(server.calls()).toBe(1)
    expect(new Set(all.map((c) => JSON.stringify(c))).size).toBe(1)
    expect(all[0]).toEqual(credsOf(server.minted[0]!.body))
    expect(r.stats()).toMatchObject({ fetches: 1, failures: 0 })
  })

  it('answers from memory before the refresh time, then 50 concurrent stale calls share one fetch', async () => {
    const server = fakeServer(world)
    const r = make(world, server)
    await world.settle(r.refreshSTSToken())
    r.stop() // no proactive timer: the call path alone must do the refresh
    await world.advanceTo(REFRESH_AFTER - 10 * S)
    for (let i = 0; i < 100; i++)
      expect(await r.refreshSTSToken()).toEqual(credsOf(server.minted[0]!.body))
    expect(server.calls()).toBe(1)
    await world.advanceTo(REFRESH_AFTER + 10 * S)
    const all = await world.settle(
      Promise.all(Array.from({ length: 50 }, () => r.refreshSTSToken())),
    )
    expect(server.calls()).toBe(2)
    for (const c of all) expect(c).toEqual(credsOf(server.minted[1]!.body))
  })
})

describe.each([
  ['20 minutes ahead of', 20 * 60 * S],
  ['20 minutes behind', -20 * 60 * S],
  ['in step with', 0],
])('browser STS refresher: client wall clock %s the server', (_label, skewMs) => {
  it('renews once per RefreshAfter period over 3 lifetimes; every answer is unexpired by the server clock', async () => {
    world.skewMs = skewMs
    vi.setSystemTime(world.serverNow() + skewMs)
    expect(Math.abs(Date.now() - world.serverNow() - skewMs)).toBeLessThan(2) // the skew is really there
    const server = fakeServer(world)
    const r = make(world, server)
    const LIFETIMES = 3
    const seen = new Set<string>()
    for (let t = 0; t <= LIFETIMES * EXPIRES_IN; t += 5 * S) {
      await world.advanceTo(t) // ali-oss asks every 5 s
      const c = await world.settle(r.refreshSTSToken())
      const body = server.byKey.get(c.accessKeyId)!
      expect(c).toEqual(credsOf(body))
      expect(world.serverNow()).toBeLessThan(Date.parse(body.Expiration))
      seen.add(c.accessKeyId)
    }
    // 1 initial fetch + one per RefreshAfter period (450 s of a 900 s lifetime): 2 per lifetime.
    expect(server.calls()).toBe(1 + LIFETIMES * (EXPIRES_IN / REFRESH_AFTER))
    expect(seen.size).toBe(server.calls())
    for (let i = 1; i < server.minted.length; i++) {
      const prev = server.minted[i - 1]!.body
      const next = server.minted[i]!
      expect(next.mintedServer).toBeLessThan(Date.parse(prev.Expiration)) // renewed before expiry
      expect(next.fetchStartServer).toBeGreaterThanOrEqual(Date.parse(prev.RefreshAfter!) - LATENCY) // and not early
    }
  })
})

describe('browser STS refresher: proactive timer', () => {
  it('renews while ali-oss is idle, and stop() ends it', async () => {
    const server = fakeServer(world)
    const r = make(world, server)
    await world.settle(r.refreshSTSToken())
    await world.advanceTo(2000 * S)
    expect(server.calls()).toBe(1 + Math.floor(2000 / 450))
    expect(r.current()?.AccessKeyId).toBe(server.minted.at(-1)!.body.AccessKeyId)
    expect(r.current()?.Prefix).toBe('avatars/alice/')
    r.stop()
    expect(world.pending()).toBe(0)
    await world.advanceTo(10_000 * S)
    expect(server.calls()).toBe(5)
    expect(r.current()).toBeUndefined() // expired, and nothing renewed it
  })
})

describe('browser STS refresher: failures never loop', () => {
  it('one failed refresh: held credentials keep being served, one retry later, no tight loop', async () => {
    const server = fakeServer(world, (n, body) => (n === 2 ? new Error('upstream 503') : body))
    const r = make(world, server)
    await world.settle(r.refreshSTSToken())
    const first = credsOf(server.minted[0]!.body)
    await world.advanceTo(REFRESH_AFTER - S)
    const results: StsCredentials[] = []
    for (let t = REFRESH_AFTER; t <= REFRESH_AFTER + 60 * S; t += 100) {
      // a simulated minute, calls every 100 ms
      await world.advanceTo(t)
      results.push(await world.settle(r.refreshSTSToken()))
    }
    expect(server.calls()).toBe(3) // initial, the failed refresh, one successful retry
    expect(r.stats()).toMatchObject({ fetches: 3, failures: 1 })
    expect(results[0]).toEqual(first) // served from memory while the refresh failed
    expect(results.at(-1)).toEqual(credsOf(server.minted[1]!.body))
    for (const c of results)
      expect(world.serverNow()).toBeLessThan(
        Date.parse(server.byKey.get(c.accessKeyId)!.Expiration),
      )
  })

  it('an outage: bounded retries, never expired credentials, rejects once nothing valid is held, recovers', async () => {
    let down = false
    const server = fakeServer(world, (_n, body) => (down ? new Error('network down') : body))
    const r = make(world, server)
    await world.settle(r.refreshSTSToken())
    down = true
    const before = server.calls()
    let rejected = 0
    for (let t = S; t <= 1000 * S; t += 100) {
      await world.advanceTo(t)
      const got = await world.settle(r.refreshSTSToken()).catch((e: unknown) => e as Error)
      if (t === REFRESH_AFTER + 60 * S) expect(server.calls() - before).toBeLessThanOrEqual(5) // a minute into the outage
      if (got instanceof Error) {
        rejected++
        expect(got.message).toMatch(/^credvend: |network down/)
        continue
      }
      expect(world.serverNow()).toBeLessThan(
        Date.parse(server.byKey.get(got.accessKeyId)!.Expiration),
      )
    }
    expect(rejected).toBeGreaterThan(0) // after local expiry nothing is served
    // 9,990 calls over 1,000 s, yet only a handful of fetches: backoff + minFetchIntervalMs.
    expect(server.calls() - before).toBeLessThanOrEqual(20)
    down = false
    await world.advanceTo(1100 * S)
    const c = await world.settle(r.refreshSTSToken())
    expect(world.serverNow()).toBeLessThan(Date.parse(server.byKey.get(c.accessKeyId)!.Expiration))
  })

  it('RefreshAfter == ServerTime does not refetch on every call', async () => {
    const server = fakeServer(world, (_n, body) => ({ ...body, RefreshAfter: body.ServerTime }))
    const r = make(world, server)
    for (let t = 0; t <= 60 * S; t += 100) {
      await world.advanceTo(t)
      await world.settle(r.refreshSTSToken())
    }
    expect(server.calls()).toBe(1) // falls back to half the lifetime
  })

  it('RefreshAfter == ServerTime with a short lifetime: at most one fetch per minFetchIntervalMs', async () => {
    const server = fakeServer(world, (_n, body) => ({
      ...body,
      RefreshAfter: body.ServerTime,
      Expiration: iso(Date.parse(body.ServerTime) + 12 * S),
    }))
    const r = make(world, server, { minFetchIntervalMs: 5000 })
    for (let t = 0; t <= 60 * S; t += 100) {
      await world.advanceTo(t)
      await world.settle(r.refreshSTSToken()).catch(() => undefined)
    }
    const starts = server.minted.map((m) => m.fetchStartServer)
    expect(starts.length).toBeGreaterThan(1)
    expect(starts.length).toBeLessThanOrEqual(1 + 60 / 5)
    for (let i = 1; i < starts.length; i++)
      expect(starts[i]! - starts[i - 1]!).toBeGreaterThanOrEqual(5000)
  })

  it('a hung fetch times out instead of holding callers forever', async () => {
    const server = fakeServer(world, () => 'hang')
    const r = make(world, server, { fetchTimeoutMs: 3000 })
    const err = await rejection(r.refreshSTSToken())
    expect(err.message).toMatch(/timed out after 3000 ms/)
    expect(world.mono).toBeLessThanOrEqual(3000)
    // Nothing held: callers inside the retry window are refused without a new fetch.
    await expect(r.refreshSTSToken()).rejects.toThrow(/no valid STS credentials/)
    expect(server.calls()).toBe(1)
  })
})

describe('browser STS refresher: response validation', () => {
  const good = (): VendResponse => ({
    Code: 'Success',
    AccessKeyId: 'STS.key',
    AccessKeySecret: SECRET,
    SecurityToken: `CAIS-${SECRET}`,
    ServerTime: '2026-11-22T10:00:02Z',
    Expiration: '2026-11-22T10:15:02Z',
    RefreshAfter: '2026-11-22T10:07:32Z',
  })
  const cases: Array<[string, unknown, RegExp]> = [
    ['null body', null, /Code missing/],
    [
      'an error body',
      { Code: 'Forbidden', Message: `no ${SECRET}`, RequestId: 'req-1' },
      /vend failed \(Code Forbidden, RequestId req-1\)/,
    ],
    ['a Code that is not an identifier', { ...good(), Code: `x ${SECRET} y` }, /Code missing/],
    ['no SecurityToken', { ...good(), SecurityToken: undefined }, /has no SecurityToken/],
    ['a numeric AccessKeyId', { ...good(), AccessKeyId: 12345 }, /has no AccessKeyId/],
    ['empty AccessKeySecret', { ...good(), AccessKeySecret: '' }, /has no AccessKeySecret/],
    [
      'milliseconds in Expiration',
      { ...good(), Expiration: '2026-11-22T10:15:02.000Z' },
      /Expiration is not YYYY-MM-DDThh:mm:ssZ/,
    ],
    ['no ServerTime', { ...good(), ServerTime: undefined }, /ServerTime is not/],
    [
      'an offset RefreshAfter',
      { ...good(), RefreshAfter: '2026-11-22T18:07:32+08:00' },
      /RefreshAfter is not/,
    ],
    ['a numeric Bucket', { ...good(), Bucket: 7 }, /Bucket is not a string/],
    [
      'Expiration at ServerTime',
      { ...good(), Expiration: '2026-11-22T10:00:02Z' },
      /expires too soon/,
    ],
  ]
  it.each(cases)(
    '%s → a clear error that does not echo the secret',
    async (_label, body, message) => {
      const r = createStsRefresher({
        fetchCredentials: async () => body,
        now: world.now,
        setTimer: world.setTimer,
        clearTimer: world.clearTimer,
      })
      const err = await rejection(r.refreshSTSToken())
      expect(err.message).toMatch(/^credvend: /)
      expect(err.message).toMatch(message)
      expect(err.message).not.toContain(SECRET)
      expect(JSON.stringify(err, Object.getOwnPropertyNames(err))).not.toContain(SECRET)
      expect(r.stats()).toMatchObject({ fetches: 1, failures: 1, expiresAtMs: null })
    },
  )

  it('accepts a minimal credentials-URI body without RefreshAfter or OSS fields', async () => {
    const { RefreshAfter: _, ...minimal } = good()
    const r = createStsRefresher({
      fetchCredentials: async () => minimal,
      now: world.now,
      setTimer: world.setTimer,
      clearTimer: world.clearTimer,
    })
    expect(await world.settle(r.refreshSTSToken())).toEqual(credsOf(good()))
    expect(r.stats().refreshAtMs).toBe(((900 - 5) * S) / 2) // half the (margined) lifetime
  })
})

describe('browser STS refresher: with ali-oss 6.23 (no network)', () => {
  const require = createRequire(import.meta.url)
  const OSS = require('ali-oss') as new (options: Record<string, unknown>) => any

  it('ossOptions() builds a client, and ali-oss refresh path picks up renewed credentials', async () => {
    const server = fakeServer(world)
    const r = make(world, server)
    const client = new OSS(await world.settle(r.ossOptions({ timeout: 120_000 })))
    const first = server.minted[0]!.body
    expect(client.options.accessKeyId).toBe(first.AccessKeyId)
    expect(client.options.accessKeySecret).toBe(first.AccessKeySecret)
    expect(client.options.stsToken).toBe(first.SecurityToken)
    expect(client.options.bucket).toBe('credvend-avatars')
    expect(client.options.endpoint.href).toBe('https://oss-cn-hangzhou.aliyuncs.com/')
    expect(client.options.timeout).toBe(120_000)
    expect(client.options.refreshSTSTokenInterval).toBe(60_000)
    expect(await client.options.refreshSTSToken()).toEqual(credsOf(first)) // answered from memory
    expect(server.calls()).toBe(1)

    // ali-oss's own refresh path (setSTSToken, run before signing), driven by its wall clock.
    const signed = async () =>
      new URL(
        await world.settle(
          client.asyncSignatureUrl('avatars/alice/a.png', { expires: 60 }) as Promise<string>,
        ),
      )
    const u1 = await signed()
    expect(u1.host).toBe('credvend-avatars.oss-cn-hangzhou.aliyuncs.com')
    expect(u1.searchParams.get('OSSAccessKeyId')).toBe(first.AccessKeyId)
    expect(u1.searchParams.get('security-token')).toBe(first.SecurityToken)
    await world.advanceTo(REFRESH_AFTER + 61 * S) // our timer renewed at 450 s; ali-oss's interval has passed
    const u2 = await signed()
    const second = server.minted[1]!.body
    expect(server.calls()).toBe(2)
    expect(u2.searchParams.get('OSSAccessKeyId')).toBe(second.AccessKeyId)
    expect(u2.searchParams.get('security-token')).toBe(second.SecurityToken)
    expect(client.options.accessKeySecret).toBe(second.AccessKeySecret)
    r.stop()
  })
})
