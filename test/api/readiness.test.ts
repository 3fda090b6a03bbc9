import { describe, expect, it, vi } from 'vitest'
import { assemble } from '../../lib/assemble.ts'
import { VendError } from '../../lib/errors.ts'

const config = {
  region: 'cn-hangzhou',
  sts: { endpoint: 'https://sts.cn-hangzhou.aliyuncs.com' },
  callers: {},
  profiles: {},
  exposeInternalRoutes: true,
}

/** credvend whose own identity always fails, on a clock the test moves. */
const failingSource = async (limits: Record<string, unknown> = {}) => {
  let nowMs = Date.parse('2026-12-01T00:00:00Z')
  const source = vi.fn(async () => {
    throw new VendError('ERR_PROVIDER_UNAVAILABLE', 'no source credentials configured')
  })
  const { app } = await assemble(
    {
      deps: {
        fetch: () => Promise.reject(new Error('no network')),
        now: () => new Date(nowMs),
        randomId: () => 'id',
        sleep: async () => {},
        random: () => 0.5,
      },
      env: {},
      log: () => {},
      sharePending: true,
      source: () => source,
    },
    JSON.stringify({ ...config, ...limits }),
  )
  const ready = (sourceAddress = '203.0.113.7') => app.request('/readyz', {}, { sourceAddress })
  return { ready, source, advance: (ms: number) => void (nowMs += ms) }
}

describe('/readyz', () => {
  it('asks a failing source again only after a growing back-off', async () => {
    const { ready, source, advance } = await failingSource()
    for (let i = 0; i < 50; i++) expect((await ready()).status).toBe(503)
    expect(source).toHaveBeenCalledTimes(1)
    advance(1_000)
    await ready()
    expect(source).toHaveBeenCalledTimes(2)
    advance(1_000) // the back-off doubled to 2 s
    await ready()
    expect(source).toHaveBeenCalledTimes(2)
    advance(1_000)
    await ready()
    expect(source).toHaveBeenCalledTimes(3)
  })

  it('is limited per source address like the vend routes', async () => {
    const { ready } = await failingSource({
      limits: { perSourceAddress: { perSecond: 1, burst: 3 } },
    })
    const statuses = []
    for (let i = 0; i < 5; i++) statuses.push((await ready()).status)
    expect(statuses).toEqual([503, 503, 503, 429, 429])
    expect((await ready('198.51.100.9')).status).toBe(503)
  })
})
