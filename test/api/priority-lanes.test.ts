import { afterEach, describe, expect, it } from 'vitest'
import type { ConfigInput } from '../../lib/config/schema.ts'
import { startVendHarness, type VendHarness } from '../helpers/vend-harness.ts'

const RATE = 10
const DEADLINE_MS = 4_000
const BURST = 60
const SHARE = 0.3
const SVC_CALLS = 3
/** Where every svc session must be among those issued after svc asked: ceil(3 / 0.3) + 1. */
const BOUND = Math.ceil(SVC_CALLS / SHARE) + 1

let h: VendHarness | undefined
afterEach(() => h?.close())

/**
 * A browser profile and an internal service's, both asked for by callers of the one JWT issuer:
 * without a priority their misses share the issuer's lane, first come first served. Real waits
 * (as in sts-lanes.test.ts): the harness's virtual sleep would let the governor pass every call
 * at once, so nothing would ever queue. Only counts and order are asserted, never durations.
 */
const harness = (priority?: Record<string, number>) =>
  startVendHarness({
    realSleep: true,
    config: (c) => {
      const role = (c.profiles.plain as { roleArn: string }).roleArn
      const profile = { kind: 'sts' as const, allow: [{ jwt: 'web' }], roleArn: role }
      const config: ConfigInput = {
        ...c,
        sts: {
          ...c.sts,
          maxCallsPerSecond: RATE,
          ...(priority ? { lanes: { priority } } : {}),
        },
        upstream: { ...c.upstream!, deadlineMs: DEADLINE_MS },
        exposeInternalRoutes: true,
        profiles: { ...c.profiles, browser: profile, svc: profile },
      }
      return config
    },
  })

const vend = (profile: string, token: string) =>
  h!.request(`/v1/credentials/${profile}`, { token }).then((r) => ({
    status: r.status,
    code: r.json().Code as string,
  }))

const waitUntil = async (condition: () => boolean) => {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5))
}

/**
 * A burst of fresh browser subjects in line first, then svc's misses: what svc got, and the
 * session names the emulator issued after svc asked, in the order it issued them.
 */
const burstThenSvc = async () => {
  const sign = (sub: string) => h!.signer.sign({}, { sub })
  const burstTokens = await Promise.all(Array.from({ length: BURST }, (_, i) => sign(`user-${i}`)))
  const svcTokens = await Promise.all(Array.from({ length: SVC_CALLS }, (_, i) => sign(`svc-${i}`)))
  const issued = () => h!.emulator.world.issuedSessionNames()
  const burst = Promise.all(burstTokens.map((t) => vend('browser', t)))
  // The first second's worth is issued: the rest of the burst waits in line for the next.
  await waitUntil(() => issued().length >= RATE)
  const before = issued().length
  const svc = await Promise.all(svcTokens.map((t) => vend('svc', t)))
  const browser = await burst
  const after = issued().slice(before)
  return {
    svc,
    browser,
    after,
    /** 1-based places of svc's sessions among those issued after svc asked. */
    svcPlaces: after.flatMap((name, i) => (name.startsWith('jwt.web.svc-') ? [i + 1] : [])),
    browserAfter: after.filter((name) => name.startsWith('jwt.web.user-')).length,
  }
}

describe('priority lanes in the STS budget', () => {
  it("a browser burst at the STS rate leaves a prioritised profile's misses served within its share", async () => {
    h = await harness({ svc: SHARE })
    const { svc, browser, svcPlaces, browserAfter } = await burstThenSvc()
    // Every svc miss was served, and counted at the emulator within its share's bound.
    expect(svc.map((r) => r.status)).toEqual(Array.from({ length: SVC_CALLS }, () => 200))
    expect(svcPlaces).toHaveLength(SVC_CALLS)
    expect(Math.max(...svcPlaces)).toBeLessThanOrEqual(BOUND)
    // The browser burst still had the rest: what it did not get was refused for the budget.
    expect(browserAfter).toBeGreaterThan(0)
    expect(browser.every((r) => r.status === 200 || r.code === 'ERR_STS_THROTTLED')).toBe(true)

    const metrics = (await h.request('/metrics')).text
    expect(metrics).toContain(
      'credvend_sts_lane_calls_total{lane="profile:svc",decision="admitted"} 3',
    )
    expect(metrics).toContain('credvend_sts_lane_min_share{lane="profile:svc"} 0.3')
    expect(metrics).toMatch(/credvend_sts_lane_wait_seconds_total\{lane="profile:svc"\} \d/)
    expect(metrics).toMatch(/credvend_sts_lane_wait_seconds_total\{lane="jwt:web"\} \d/)
    // Only configured priority lanes have a minimum share.
    expect(metrics).not.toContain('credvend_sts_lane_min_share{lane="jwt:web"}')
    expect(metrics).toContain('credvend_sts_lane_queued{lane="profile:svc"} 0')
  }, 60_000)

  it('without the priority, the same burst refuses svc or serves it behind the burst, never within the share', async () => {
    h = await harness()
    const { svc, svcPlaces } = await burstThenSvc()
    // Refused for the budget (the issuer's lane is full), or served behind the burst's calls.
    expect(svc.every((r) => r.status === 200 || r.code === 'ERR_STS_THROTTLED')).toBe(true)
    const withinShare =
      svc.every((r) => r.status === 200) &&
      svcPlaces.length === SVC_CALLS &&
      Math.max(...svcPlaces) <= BOUND
    expect(withinShare).toBe(false)
    const metrics = (await h.request('/metrics')).text
    expect(metrics).not.toContain('lane="profile:svc"')
    expect(metrics).not.toContain('credvend_sts_lane_min_share{')
  }, 60_000)
})
