import { describe, expect, it, vi } from 'vitest'
import { chain } from '../../../lib/credentials/chain.ts'
import { memoize } from '../../../lib/credentials/memoize.ts'
import { misconfigured, notConfigured } from '../../../lib/credentials/provider-error.ts'
import type { Credentials } from '../../../lib/credentials/types.ts'

const creds = (source: string, expiration?: Date): Credentials => ({
  accessKeyId: `id-${source}`,
  accessKeySecret: 's',
  source,
  ...(expiration ? { expiration } : {}),
})
const resolveStatic = (c: Credentials) => vi.fn(async () => c)
const notHere = (source: string) =>
  vi.fn(async (): Promise<Credentials> => {
    throw notConfigured(source, 'not set')
  })
const broken = (source: string) =>
  vi.fn(async (): Promise<Credentials> => {
    throw misconfigured(source, 'bad')
  })

describe('chain', () => {
  it('returns the first provider that yields, skipping the not-configured ones', async () => {
    const later = resolveStatic(creds('later'))
    expect((await chain(notHere('a'), resolveStatic(creds('b')), later)()).source).toBe('b')
    expect(later).not.toHaveBeenCalled()
  })

  it('stops at a configured-but-broken provider instead of falling through', async () => {
    const after = resolveStatic(creds('after'))
    await expect(chain(notHere('a'), broken('b'), after)()).rejects.toMatchObject({
      code: 'ERR_PROVIDER_MISCONFIGURED',
      message: 'b: bad',
    })
    expect(after).not.toHaveBeenCalled()
  })

  it('says which sources it tried when none is configured', async () => {
    await expect(chain(notHere('env'), notHere('oidc'))()).rejects.toMatchObject({
      code: 'ERR_PROVIDER_UNAVAILABLE',
      message: 'no credential source is configured (tried env, oidc)',
    })
  })
})

describe('memoize', () => {
  let nowMs = Date.parse('2026-11-25T00:00:00Z')
  const now = () => new Date(nowMs)

  it('treats credentials without expiration as constant', async () => {
    const p = resolveStatic(creds('static'))
    const m = memoize(p, { now })
    await m()
    await m()
    await m()
    expect(p).toHaveBeenCalledTimes(1)
  })

  it('makes one upstream call for 100 concurrent first uses', async () => {
    const p = vi.fn(async () => creds('slow', new Date(nowMs + 3600_000)))
    const m = memoize(p, { now })
    await Promise.all(Array.from({ length: 100 }, () => m()))
    expect(p).toHaveBeenCalledTimes(1)
  })

  it('refreshes inside the window, keeps valid credentials if the refresh fails, and fails once they expire', async () => {
    let fail = false
    let n = 0
    const p = vi.fn(async () => {
      if (fail) throw misconfigured('sts', 'down')
      return { ...creds(`v${++n}`), expiration: new Date(nowMs + 3600_000) }
    })
    const m = memoize(p, { now })
    expect((await m()).source).toBe('v1')
    nowMs += 50 * 60_000 // 10 minutes left: inside the 15-minute window
    expect((await m()).source).toBe('v2')
    nowMs += 50 * 60_000
    fail = true
    expect((await m()).source).toBe('v2') // still valid for 10 minutes
    nowMs += 11 * 60_000
    await expect(m()).rejects.toMatchObject({ code: 'ERR_PROVIDER_MISCONFIGURED' })
  })

  it('does not cache per-invocation FC credentials', async () => {
    const p = vi.fn(async (input?: { fcCredentials?: Credentials }) => input!.fcCredentials!)
    const m = memoize(p, { now })
    await m({ fcCredentials: creds('fc1') })
    expect((await m({ fcCredentials: creds('fc2') })).source).toBe('fc2')
  })
})
