import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig, envSecretResolver } from '../../lib/config/load.ts'
import { LIMIT_DEFAULTS } from '../../lib/config/schema.ts'
import { startVendHarness, type VendHarness } from '../helpers/vend-harness.ts'

let h: VendHarness
beforeAll(async () => {
  h = await startVendHarness({
    config: (c) => ({
      ...c,
      limits: {
        perCaller: { perSecond: 1, burst: 5 },
        perCallerMisses: { perSecond: 0.5, burst: 2 },
        perSourceAddress: { perSecond: 1, burst: 10 },
      },
    }),
  })
})
afterAll(() => h.close())

const fromAddress = async (sourceAddress: string, token?: string) => {
  const res = await h.app.request(
    '/v1/credentials/plain',
    { headers: token ? { authorization: `Bearer ${token}` } : {} },
    { sourceAddress },
  )
  return {
    status: res.status,
    code: ((await res.json()) as { Code: string }).Code,
    retryAfter: res.headers.get('retry-after'),
  }
}

describe('per-caller limits', () => {
  it('a caller past its limit gets 429 with Retry-After, cache hits included; others are not affected', async () => {
    const alice = await h.signer.sign({}, { sub: 'limit-alice' })
    const answers = []
    for (let i = 0; i < 6; i++)
      answers.push(await h.request('/v1/credentials/plain', { token: alice }))
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200, 429])
    expect(answers[5]!.json().Code).toBe('ERR_RATE_LIMITED')
    expect(answers[5]!.headers.get('retry-after')).toBe('1')
    expect(
      (
        await h.request('/v1/credentials/plain', {
          token: await h.signer.sign({}, { sub: 'limit-bob' }),
        })
      ).status,
    ).toBe(200)
    h.emulator.clock.shift(1_000)
    try {
      expect((await h.request('/v1/credentials/plain', { token: alice })).status).toBe(200)
    } finally {
      h.emulator.clock.reset()
    }
  })

  it('cache misses have their own, tighter limit: varying the ask cannot spend the STS quota', async () => {
    const carol = await h.signer.sign({}, { sub: 'limit-carol' })
    const before = h.assumeRoleCalls()
    const asks = [900, 1200, 1500].map((durationSeconds) =>
      h.request('/v1/credentials/plain', { token: carol, body: { durationSeconds } }),
    )
    const answers = await Promise.all(asks)
    // Concurrent asks reach the limiter in no fixed order: which one is refused is not the point.
    expect(answers.map((a) => a.status).sort()).toEqual([200, 200, 429])
    const refused = answers.find((a) => a.status === 429)!
    expect(refused.json().Code).toBe('ERR_RATE_LIMITED')
    expect(Number(refused.headers.get('retry-after'))).toBe(2)
    expect(h.assumeRoleCalls() - before).toBe(2)
    // What is cached is still served: a hit costs no miss.
    const again = await h.request('/v1/credentials/plain', {
      token: carol,
      body: { durationSeconds: 900 },
    })
    expect([again.status, h.assumeRoleCalls() - before]).toEqual([200, 2])
  })

  it('joining a vend already in flight is free: 5 identical concurrent asks, one miss charged', async () => {
    const dave = await h.signer.sign({}, { sub: 'limit-dave' })
    const before = h.assumeRoleCalls()
    const answers = await Promise.all(
      Array.from({ length: 5 }, () => h.request('/v1/credentials/plain', { token: dave })),
    )
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200])
    expect(h.assumeRoleCalls() - before).toBe(1)
  })
})

describe('pre-authentication limit per source address', () => {
  it('floods of bad tokens from one address get 429 before any token check; other addresses still get 401', async () => {
    const results = []
    for (let i = 0; i < 12; i++) results.push(await fromAddress('198.51.100.7', 'not-a-token'))
    expect(results.slice(0, 10).every((r) => r.status === 401)).toBe(true)
    expect(results.slice(10).map((r) => [r.status, r.code, r.retryAfter])).toEqual([
      [429, 'ERR_RATE_LIMITED', '1'],
      [429, 'ERR_RATE_LIMITED', '1'],
    ])
    // Even a valid token waits: the limit is before authentication.
    expect(
      (await fromAddress('198.51.100.7', await h.signer.sign({}, { sub: 'limit-erin' }))).status,
    ).toBe(429)
    expect((await fromAddress('198.51.100.8', 'not-a-token')).status).toBe(401)
  })

  it('IPv6 addresses of one /64 share a budget', async () => {
    for (let i = 0; i < 10; i++)
      expect((await fromAddress(`2001:db8:7:7::${(i + 1).toString(16)}`)).status).toBe(401)
    expect((await fromAddress('2001:db8:7:7:ffff::1')).status).toBe(429)
    expect((await fromAddress('2001:db8:7:8::1')).status).toBe(401)
  })

  it('counts in /metrics by limit', async () => {
    const internal = await startVendHarness({
      config: (c) => ({
        ...c,
        exposeInternalRoutes: true,
        limits: {
          perCaller: { perSecond: 1, burst: 1 },
          perCallerMisses: null,
          perSourceAddress: null,
        },
      }),
    })
    try {
      const token = await internal.signer.sign({}, { sub: 'limit-frank' })
      await internal.request('/v1/credentials/plain', { token })
      await internal.request('/v1/credentials/plain', { token })
      expect((await internal.request('/metrics')).text).toMatch(
        /^credvend_rate_limited_total\{limit="caller"\} 1$/m,
      )
    } finally {
      await internal.close()
    }
  })
})

describe('defaults', () => {
  it('a config that says nothing gets every limit on', async () => {
    const loaded = await loadConfig(
      JSON.stringify({
        region: 'cn-hangzhou',
        sts: { endpoint: 'https://sts.aliyuncs.com' },
        callers: {},
        profiles: {},
      }),
      envSecretResolver({}),
    )
    expect(loaded.config.limits).toEqual(LIMIT_DEFAULTS)
    expect(Object.values(loaded.config.limits).every((v) => v !== null)).toBe(true)
  })
})
