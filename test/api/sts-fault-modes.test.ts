import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { startVendHarness, type VendHarness } from '../helpers/vend-harness.ts'

let h: VendHarness

beforeAll(async () => {
  h = await startVendHarness()
})
afterEach(() => h.emulator.clearFaults())
afterAll(() => h.close())

/** N distinct callers (each its own JWT subject) vend once, all at once. */
const stampede = async (n: number, tag: string) => {
  const tokens = await Promise.all(
    Array.from({ length: n }, (_, i) => h.signer.sign({}, { sub: `${tag}-${i}` })),
  )
  return Promise.all(
    tokens.map(async (token) => {
      const res = await h.request('/v1/credentials/plain', { token })
      return { status: res.status, code: res.json().Code as string }
    }),
  )
}

describe('STS fault modes', () => {
  it('50 % of calls throttled: every vend still succeeds, waiting what x-acs-retry-after asks', async () => {
    h.emulator.setFaultMode({ throttle: 0.5 })
    const received = h.emulator.calls.received
    const sleeps = h.sleeps.length
    const results = await stampede(40, 'throttled')
    expect(results.filter((r) => r.status !== 200)).toEqual([])
    const calls = h.emulator.calls.received - received
    // One success per caller; every throttled attempt was retried after the server's 1 s.
    expect(calls).toBeGreaterThanOrEqual(79) // 40 successes with a throttled call between each two
    expect(calls).toBeLessThanOrEqual(40 * 21)
    expect(h.sleeps.slice(sleeps).every((ms) => ms >= 1000)).toBe(true)
  })

  it('connection resets mid-answer are retried like any network error', async () => {
    h.emulator.setFaultMode({ reset: 0.2 })
    const results = await stampede(5, 'reset')
    expect(results.filter((r) => r.status !== 200)).toEqual([])
  })

  it('a malformed reply is a 502 with a fixed message, never half-parsed credentials', async () => {
    h.emulator.setFaultMode({ malformed: 1 })
    const [result] = await stampede(1, 'malformed')
    expect(result).toEqual({ status: 502, code: 'ERR_STS_BAD_RESPONSE' })
    expect(h.bodies.at(-1)).not.toMatch(/STS\.|Credentials/)
  })

  it('added latency: below the timeout a vend only waits, past it the call times out (504)', async () => {
    const quick = await startVendHarness({
      config: (c) => ({
        ...c,
        sts: { ...c.sts, timeoutMs: 1_000 },
        upstream: { ...c.upstream!, attempts: 1 },
      }),
    })
    try {
      const vend = async (sub: string) => {
        const res = await quick.request('/v1/credentials/plain', {
          token: await quick.signer.sign({}, { sub }),
        })
        return `${res.status} ${res.json().Code}`
      }
      quick.emulator.setFaultMode({ latencyMs: 50 })
      expect(await vend('slow')).toBe('200 Success')
      quick.emulator.setFaultMode({ latencyMs: 1_500 })
      expect(await vend('too-slow')).toBe('504 ERR_STS_TIMEOUT')
    } finally {
      await quick.close()
    }
  })

  it('STS down: cached callers keep being served, new callers get 503 from an open circuit without upstream calls, recovery is automatic', async () => {
    const cachedToken = await h.signer.sign({}, { sub: 'cached-before-outage' })
    expect((await h.request('/v1/credentials/plain', { token: cachedToken })).status).toBe(200)
    h.emulator.setFaultMode({ unavailable: 1 })
    const newcomers = await stampede(6, 'outage')
    expect(
      newcomers.every(
        (r) => r.status === 503 && ['ERR_STS_UNAVAILABLE', 'ERR_CIRCUIT_OPEN'].includes(r.code),
      ),
    ).toBe(true)
    expect(newcomers.some((r) => r.code === 'ERR_CIRCUIT_OPEN')).toBe(true)
    const received = h.emulator.calls.received
    const more = await stampede(5, 'outage-later')
    expect(more.every((r) => r.status === 503 && r.code === 'ERR_CIRCUIT_OPEN')).toBe(true)
    expect(h.emulator.calls.received).toBe(received) // the open circuit keeps them off STS
    expect((await h.request('/v1/credentials/plain', { token: cachedToken })).status).toBe(200)
    h.emulator.clearFaults()
    h.emulator.clock.shift(31_000) // past the circuit's 30 s cool-down
    try {
      // Half-open: one trial call goes through and closes the circuit; then everyone is served.
      const [trial] = await stampede(1, 'recovered-trial')
      expect(trial!.status).toBe(200)
      const after = await stampede(3, 'recovered')
      expect(after.every((r) => r.status === 200)).toBe(true)
    } finally {
      h.emulator.clock.reset()
    }
  })
})
