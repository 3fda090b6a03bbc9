import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startVendHarness, type VendHarness } from '../helpers/vend-harness.ts'

let h: VendHarness
beforeAll(async () => {
  h = await startVendHarness({ config: (c) => ({ ...c, exposeInternalRoutes: true }) })
})
afterAll(() => h.close())

/** Prometheus text 0.0.4, parsed strictly: every sample line, by series. */
const parse = (text: string) => {
  const samples = new Map<string, number>()
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('# HELP ') || line.startsWith('# TYPE ')) continue
    const m =
      /^([a-z_:][a-z0-9_:]*(?:\{[a-z_]+="(?:[^"\\]|\\.)*"(?:,[a-z_]+="(?:[^"\\]|\\.)*")*\})?) (-?[0-9.e+-]+)$/.exec(
        line,
      )
    if (!m) throw new Error(`not a Prometheus sample line: ${line}`)
    samples.set(m[1]!, Number(m[2]))
  }
  return samples
}

const scrape = async () => parse((await h.request('/metrics')).text)

describe('/metrics', () => {
  it('counts vends by outcome and cache state, STS calls by outcome, throttles, errors and the circuit; latency histograms add up', async () => {
    const alice = await h.signer.sign({}, { sub: 'metrics-alice' })
    expect((await h.request('/v1/credentials/plain', { token: alice })).status).toBe(200) // miss
    expect((await h.request('/v1/credentials/plain', { token: alice })).status).toBe(200) // hit
    h.emulator.injectFaults('throttle', 1)
    expect(
      (
        await h.request('/v1/credentials/plain', {
          token: await h.signer.sign({}, { sub: 'metrics-bob' }),
        })
      ).status,
    ).toBe(200) // throttled, retried
    expect((await h.request('/v1/credentials/plain')).status).toBe(401)
    let s = await scrape()
    expect(s.get('credvend_vends_total{outcome="ok",cache="miss"}')).toBe(2)
    expect(s.get('credvend_vends_total{outcome="ok",cache="hit"}')).toBe(1)
    expect(s.get('credvend_sts_calls_total{action="AssumeRole",outcome="ok"}')).toBe(2)
    expect(s.get('credvend_sts_calls_total{action="AssumeRole",outcome="ERR_STS_THROTTLED"}')).toBe(
      1,
    )
    expect(s.get('credvend_errors_total{code="ERR_AUTH_MISSING"}')).toBe(1)
    expect(s.get('credvend_circuit_open')).toBe(0)
    expect(s.get('credvend_cache_entries')).toBe(2)
    for (const [name, labels, count] of [
      ['credvend_vend_duration_seconds', 'cache="miss"', 2],
      ['credvend_vend_duration_seconds', 'cache="hit"', 1],
      ['credvend_sts_call_duration_seconds', 'action="AssumeRole"', 3],
    ] as const) {
      expect(s.get(`${name}_count{${labels}}`)).toBe(count)
      const buckets = [...s]
        .filter(([k]) => k.startsWith(`${name}_bucket{${labels},`))
        .map(([, v]) => v)
      expect(buckets.length).toBeGreaterThan(5)
      expect(buckets).toEqual([...buckets].sort((a, b) => a - b)) // cumulative
      expect(s.get(`${name}_bucket{${labels},le="+Inf"}`)).toBe(count)
      expect(s.get(`${name}_sum{${labels}}`)).toBeGreaterThan(0)
    }

    // STS down: the circuit opens after three failed attempts and the gauge says so.
    h.emulator.injectFaults('unavailable', 3)
    const down = await h.request('/v1/credentials/plain', {
      token: await h.signer.sign({}, { sub: 'metrics-carol' }),
    })
    expect(down.status).toBe(503)
    s = await scrape()
    expect(s.get('credvend_circuit_open')).toBe(1)
    expect(
      s.get('credvend_sts_calls_total{action="AssumeRole",outcome="ERR_STS_UNAVAILABLE"}'),
    ).toBe(3)
    expect(s.get(`credvend_vends_total{outcome="${down.json().Code}",cache="none"}`)).toBe(1)
    expect(s.get('credvend_sts_governor_total{decision="refused"}')).toBe(0)
  })
})
