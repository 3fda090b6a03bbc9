import { Hono } from 'hono'
import { describe, expect, it } from 'vitest'
import { VendError, type VendErrorCode } from '../../../lib/errors.ts'
import { HTTP_STATUS } from '../../../lib/http/status.ts'
import { onError } from '../../../lib/http/on-error.ts'

const appThrowing = (error: unknown) => {
  const app = new Hono()
  app.get('/', () => {
    throw error
  })
  app.onError(onError)
  return app
}

describe('onError: one mapping from codes to HTTP', () => {
  it.each(Object.entries(HTTP_STATUS))(
    '%s → %i with { Code, Message, RequestId }',
    async (code, status) => {
      const res = await appThrowing(new VendError(code as VendErrorCode, 'fixed text')).request('/')
      expect(res.status).toBe(status)
      expect(await res.json()).toEqual({ Code: code, Message: 'fixed text', RequestId: '' })
      expect(res.headers.get('cache-control')).toBe('no-store')
    },
  )

  it('keeps cause and upstream detail out of the body', async () => {
    const error = new VendError('ERR_STS_DENIED', 'STS denied the role to credvend', {
      cause: new Error('secret-in-cause'),
      upstream: { service: 'sts', code: 'NoPermission', requestId: 'upstream-req-id' },
    })
    const text = await (await appThrowing(error).request('/')).text()
    expect(text).not.toContain('secret-in-cause')
    expect(text).not.toContain('upstream-req-id')
  })

  it('turns anything else into a plain 500 without the original message', async () => {
    const res = await appThrowing(new Error('db password is hunter2')).request('/')
    expect(res.status).toBe(500)
    expect(await res.text()).not.toContain('hunter2')
  })

  it('sets Retry-After when the upstream asked for a pause', async () => {
    const res = await appThrowing(
      new VendError('ERR_STS_THROTTLED', 'STS is throttling calls', { retryAfterSeconds: 3 }),
    ).request('/')
    expect([res.status, res.headers.get('retry-after')]).toEqual([503, '3'])
  })
})
