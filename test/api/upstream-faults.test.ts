import { afterEach, describe, expect, it } from 'vitest'
import { startVendHarness, type VendHarness } from '../helpers/vend-harness.ts'

let h: VendHarness | undefined
afterEach(async () => {
  await h?.close()
  h = undefined
})

// Short enough that the hang case stays quick, long enough that a loaded CI machine does not turn
// a slow answer into an extra, uncounted timeout (200 ms did, twice).
const start = () =>
  startVendHarness({ config: (c) => ({ ...c, sts: { ...c.sts, timeoutMs: 1_500 } }) })

describe('upstream discipline: retries, stale serving and the circuit (counted at the emulator)', () => {
  it.each([
    ['a 5xx', 'unavailable'],
    ['throttling', 'throttle'],
    ['a timeout', 'hang'],
  ] as const)('%s is retried within the deadline, and the retry succeeds', async (_name, fault) => {
    h = await start()
    const token = await h.signer.sign()
    h.emulator.injectFaults(fault, 1)
    const received = h.emulator.calls.received
    const res = await h.request('/v1/credentials/plain', { token })
    expect(res.status).toBe(200)
    expect(h.emulator.calls.received - received).toBe(2)
    expect(h.assumeRoleCalls()).toBe(1)
    expect(h.sleeps).toHaveLength(1)
    if (fault === 'throttle') expect(h.sleeps[0]).toBeGreaterThanOrEqual(1000) // x-acs-retry-after: 1
  })

  it('gives up after the configured attempts with the mapped status, and never retries a refusal', async () => {
    h = await start()
    const token = await h.signer.sign()
    h.emulator.injectFaults('unavailable', 3)
    const received = h.emulator.calls.received
    const res = await h.request('/v1/credentials/plain', { token })
    expect([res.status, res.json().Code]).toEqual([503, 'ERR_STS_UNAVAILABLE'])
    expect(h.emulator.calls.received - received).toBe(3)
  })

  it('never retries a refusal: a role that does not trust credvend costs one STS call and a 502', async () => {
    h = await startVendHarness({
      config: (c) => ({
        ...c,
        profiles: { ...c.profiles, partner: { ...c.profiles.partner!, externalId: undefined } },
      }),
    })
    const received = h.emulator.calls.received
    const res = await h.request('/v1/credentials/partner', { token: h.acmeKey })
    expect([res.status, res.json().Code]).toEqual([502, 'ERR_STS_DENIED'])
    expect(h.emulator.calls.received - received).toBe(1)
    expect(h.sleeps).toHaveLength(0)
  })

  it('serves still-valid cached credentials while STS fails; an uncached caller gets 503', async () => {
    h = await start()
    const alice = await h.signer.sign({}, { sub: 'alice' })
    const first = (await h.request('/v1/credentials/plain', { token: alice })).json()
    h.emulator.injectFaults('unavailable', 100)
    h.emulator.clock.shift(10_000)
    // Asking for more remaining life than the cached entry has forces a refresh, which fails.
    const stale = await h.request('/v1/credentials/plain', {
      token: alice,
      body: { minRemainingSeconds: 899 },
    })
    expect(stale.status).toBe(200)
    expect(stale.json().AccessKeyId).toBe(first.AccessKeyId)
    expect(h.logs.filter((l) => l.type === 'audit').at(-1)).toMatchObject({
      cache: 'stale',
      outcome: 'ok',
    })
    const bob = await h.request('/v1/credentials/plain', {
      token: await h.signer.sign({}, { sub: 'bob' }),
    })
    expect(bob.status).toBe(503)
  })

  it('serves still-valid cached credentials when the governor refuses the refresh; an uncached caller gets 503 with Retry-After', async () => {
    h = await startVendHarness({
      config: (c) => ({
        ...c,
        sts: { ...c.sts, maxCallsPerSecond: 1 },
        upstream: { ...c.upstream!, deadlineMs: 100 },
      }),
    })
    const alice = await h.signer.sign(
      {},
      { sub: 'alice', exp: Math.floor(h.emulator.now().getTime() / 1000) + 600 },
    )
    const first = (await h.request('/v1/credentials/plain', { token: alice })).json()
    h.emulator.clock.shift(1_500)
    // carol takes this second's only STS call; alice's refresh would have to wait past the deadline.
    expect(
      (
        await h.request('/v1/credentials/plain', {
          token: await h.signer.sign({}, { sub: 'carol' }),
        })
      ).status,
    ).toBe(200)
    const calls = h.assumeRoleCalls()
    const stale = await h.request('/v1/credentials/plain', {
      token: alice,
      body: { minRemainingSeconds: 899 },
    })
    expect([stale.status, stale.json().AccessKeyId]).toEqual([200, first.AccessKeyId])
    expect(h.logs.filter((l) => l.type === 'audit').at(-1)).toMatchObject({
      cache: 'stale',
      outcome: 'ok',
    })
    const bob = await h.request('/v1/credentials/plain', {
      token: await h.signer.sign({}, { sub: 'bob' }),
    })
    expect([bob.status, bob.json().Code, Number(bob.headers.get('retry-after'))]).toEqual([
      503,
      'ERR_STS_THROTTLED',
      1,
    ])
    expect(h.assumeRoleCalls()).toBe(calls)
  })

  it('opens the circuit after N failures: further misses fail fast without reaching STS', async () => {
    h = await start()
    h.emulator.injectFaults('unavailable', 100)
    const received = h.emulator.calls.received
    const first = await h.request('/v1/credentials/plain', {
      token: await h.signer.sign({}, { sub: 'u1' }),
    })
    expect(first.status).toBe(503)
    expect(h.emulator.calls.received - received).toBe(3) // circuitFailures: 3, reached within one request's retries
    for (const sub of ['u2', 'u3', 'u4']) {
      const res = await h.request('/v1/credentials/plain', {
        token: await h.signer.sign({}, { sub }),
      })
      expect([res.status, res.json().Code]).toEqual([503, 'ERR_CIRCUIT_OPEN'])
    }
    expect(h.emulator.calls.received - received).toBe(3)
    // After the cooldown (injected clock), one trial goes through and closes the circuit.
    h.emulator.clearFaults()
    h.emulator.clock.shift(31_000)
    const trial = await h.request('/v1/credentials/plain', {
      token: await h.signer.sign(
        {},
        { sub: 'u5', exp: Math.floor(h.emulator.now().getTime() / 1000) + 600 },
      ),
    })
    expect(trial.status).toBe(200)
  })
})
