import { afterEach, describe, expect, it } from 'vitest'
import { startVendHarness, type VendHarness } from '../helpers/vend-harness.ts'

let h: VendHarness | undefined
afterEach(async () => {
  await h?.close()
  h = undefined
})

describe('single flight and cache: STS is called once per (caller, profile, policy, duration)', () => {
  it('1,000 concurrent identical requests → exactly 1 AssumeRole', async () => {
    h = await startVendHarness()
    const token = await h.signer.sign({}, { sub: 'alice' })
    const responses = await Promise.all(
      Array.from({ length: 1000 }, () => h!.request('/v1/credentials/plain', { token })),
    )
    expect(responses.every((r) => r.status === 200)).toBe(true)
    expect(new Set(responses.map((r) => r.json().AccessKeyId)).size).toBe(1)
    expect(h.assumeRoleCalls()).toBe(1)
  })

  it('1,000 requests from 10 callers → exactly 10, each answer its own caller’s', async () => {
    h = await startVendHarness()
    const subs = Array.from({ length: 10 }, (_, i) => `user-${i}`)
    const tokens = await Promise.all(subs.map((sub) => h!.signer.sign({}, { sub })))
    const responses = await Promise.all(
      Array.from({ length: 1000 }, (_, i) =>
        h!
          .request('/v1/credentials/plain', { token: tokens[i % 10]! })
          .then((r) => ({ sub: subs[i % 10]!, r })),
      ),
    )
    expect(h.assumeRoleCalls()).toBe(10)
    for (const { sub, r } of responses) {
      const body = r.json()
      expect(body.RoleSessionName).toBe(`jwt.web.${sub}`)
      // The emulator knows which session each key was issued to.
      expect(h.emulator.world.findSession(body.AccessKeyId)!.sessionName).toBe(`jwt.web.${sub}`)
    }
  })

  it('the same caller with two durations → 2', async () => {
    h = await startVendHarness()
    const token = await h.signer.sign({}, { sub: 'alice' })
    await Promise.all([
      ...Array.from({ length: 50 }, () =>
        h!.request('/v1/credentials/plain', { token, body: { durationSeconds: 900 } }),
      ),
      ...Array.from({ length: 50 }, () =>
        h!.request('/v1/credentials/plain', { token, body: { durationSeconds: 1800 } }),
      ),
    ])
    expect(h.assumeRoleCalls()).toBe(2)
  })

  it('with sharePending off (Workers), concurrent misses each call STS, and later requests hit the cache', async () => {
    h = await startVendHarness({ sharePending: false })
    const token = await h.signer.sign({}, { sub: 'alice' })
    await Promise.all(
      Array.from({ length: 5 }, () => h!.request('/v1/credentials/plain', { token })),
    )
    const afterBurst = h.assumeRoleCalls()
    expect(afterBurst).toBeGreaterThan(1)
    await h.request('/v1/credentials/plain', { token })
    expect(h.assumeRoleCalls()).toBe(afterBurst)
  })

  it('cached credentials are served only with minRemainingSeconds left; asking for more fetches anew', async () => {
    h = await startVendHarness()
    const token = await h.signer.sign({}, { sub: 'alice' })
    await h.request('/v1/credentials/plain', { token })
    h.emulator.clock.shift(10 * 60 * 1000) // 10 of 15 minutes gone: 5 left, below the default half
    const token2 = await h.signer.sign(
      {},
      { sub: 'alice', exp: Math.floor(h.emulator.now().getTime() / 1000) + 600 },
    )
    const fresh = await h.request('/v1/credentials/plain', {
      token: token2,
      body: { minRemainingSeconds: 60 },
    })
    expect(h.assumeRoleCalls()).toBe(1) // 5 minutes left ≥ 60 s asked: served from cache
    expect(fresh.status).toBe(200)
    await h.request('/v1/credentials/plain', { token: token2 })
    expect(h.assumeRoleCalls()).toBe(2) // default: half the duration (7.5 min) — not enough left
  })
})
