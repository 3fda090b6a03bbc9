import { describe, expect, it } from 'vitest'
import { startVendHarness } from '../helpers/vend-harness.ts'

const MINUTES_20 = 20 * 60_000

describe('a host clock STS disagrees with', () => {
  for (const signature of ['rpc-hmac-sha1', 'acs3-hmac-sha256'] as const) {
    for (const skewMs of [MINUTES_20, -MINUTES_20]) {
      it(`${signature}, STS ${skewMs > 0 ? 'ahead' : 'behind'} by 20 min: one refusal (InvalidTimeStamp.Expired), then calls sign by STS's time`, async () => {
        const h = await startVendHarness({
          config: (c) => ({ ...c, sts: { ...c.sts, signature }, exposeInternalRoutes: true }),
        })
        try {
          h.emulator.setFaultMode({ skewMs })
          const received = h.emulator.calls.received
          const first = await h.request('/v1/credentials/plain', {
            token: await h.signer.sign({}, { sub: 'skew-a' }),
          })
          expect(first.status, first.text).toBe(200)
          expect(h.emulator.calls.received - received).toBe(2)
          const second = await h.request('/v1/credentials/plain', {
            token: await h.signer.sign({}, { sub: 'skew-b' }),
          })
          expect(second.status).toBe(200)
          expect(h.emulator.calls.received - received).toBe(3)
          const metrics = (await h.request('/metrics')).text
          const offset = Number(/^credvend_sts_clock_offset_seconds (\S+)$/m.exec(metrics)![1])
          expect(Math.abs(offset - skewMs / 1000)).toBeLessThanOrEqual(2)
          expect(metrics).toMatch(
            /^credvend_sts_calls_total\{action="AssumeRole",outcome="ERR_STS_CLOCK_SKEW"\} 1$/m,
          )
        } finally {
          await h.close()
        }
      })
    }
  }

  it('without a usable Date header there is nothing to learn: a 502 that names the clock, no loop', async () => {
    const h = await startVendHarness()
    try {
      h.emulator.setFaultMode({ skewMs: MINUTES_20 })
      const fetchWithoutDate = h.deps.fetch
      ;(h.deps as { fetch: typeof fetch }).fetch = async (input, init) => {
        const res = await fetchWithoutDate(input, init)
        const headers = new Headers(res.headers)
        headers.delete('date')
        return new Response(await res.text(), { status: res.status, headers })
      }
      const received = h.emulator.calls.received
      const res = await h.request('/v1/credentials/plain', {
        token: await h.signer.sign({}, { sub: 'skew-c' }),
      })
      expect([res.status, res.json().Code]).toEqual([502, 'ERR_STS_SOURCE_CREDENTIALS'])
      expect(h.emulator.calls.received - received).toBe(1)
    } finally {
      await h.close()
    }
  })
})
