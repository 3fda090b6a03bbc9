import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { makeSigner, startVendHarness, type VendHarness, withIssuers } from '../helpers/vend-harness.ts'

const RATE = 20
const DEADLINE_MS = 2_000
const ISSUER = 'https://login.stampede.example'
let h: VendHarness
let signer: Awaited<ReturnType<typeof makeSigner>>

beforeAll(async () => {
  // ES256: a thousand signatures cost little CPU, so the stampede does not starve parallel tests.
  signer = await makeSigner('ES256', 'stampede-1')
  h = await startVendHarness({
    config: (c) => ({
      ...withIssuers(c, { id: 'stampede', issuer: ISSUER, audience: 'credvend', algorithms: ['ES256'], jwks: { keys: [signer.jwk] } }),
      sts: { ...c.sts, maxCallsPerSecond: RATE },
      upstream: { ...c.upstream!, deadlineMs: DEADLINE_MS },
      profiles: { ...c.profiles, plain: { ...c.profiles.plain!, allow: [{ jwt: 'stampede' }] } },
    }),
  })
})
afterAll(() => h.close())

describe('the STS governor under a stampede', () => {
  it('1,000 distinct callers at once: STS sees no more than the governor admits; the rest get 503 with Retry-After', async () => {
    const before = h.assumeRoleCalls()
    const tokens = await Promise.all(Array.from({ length: 1000 }, (_, i) => signer.sign({}, { iss: ISSUER, sub: `stampede-${i}` })))
    const startedMs = h.emulator.now().getTime()
    const results = await Promise.all(tokens.map(async (token) => {
      const res = await h.request('/v1/credentials/plain', { token })
      return { status: res.status, code: res.json().Code as string, retryAfter: res.headers.get('retry-after') }
    }))
    const elapsedMs = h.emulator.now().getTime() - startedMs
    const served = results.filter((r) => r.status === 200).length
    const refused = results.filter((r) => r.status === 503)
    const calls = h.assumeRoleCalls() - before
    const governor = (h.credvend.stats() as unknown as { governor: { admitted: number } }).governor
    console.log(`stampede: ${served} served, ${refused.length} refused, ${calls} AssumeRole calls (rate ${RATE}/s, deadline ${DEADLINE_MS} ms)`)
    // Waits are recorded, not slept, so the stampede spans only its real run time: at most a
    // second's burst plus the rate over the deadline and that run time.
    expect(calls).toBeLessThanOrEqual(Math.ceil(RATE + RATE * ((DEADLINE_MS + elapsedMs) / 1000)) + 1)
    expect(calls).toBe(governor.admitted)
    expect(served).toBe(calls)
    expect(served + refused.length).toBe(1000)
    expect(refused.every((r) => r.code === 'ERR_STS_THROTTLED' && Number(r.retryAfter) >= 1)).toBe(true)
  }, 60_000)
})
