import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { APP_ORIGIN, startVendHarness, type VendHarness } from '../helpers/vend-harness.ts'

let h: VendHarness
let alice: string

const preflight = (profile: string, origin: string, method = 'POST') =>
  h.request(`/v1/credentials/${profile}`, {
    method: 'OPTIONS',
    headers: {
      origin,
      'access-control-request-method': method,
      'access-control-request-headers': 'authorization',
    },
  })

const corsHeaders = (headers: Headers) =>
  Object.fromEntries([...headers].filter(([k]) => k.startsWith('access-control-') || k === 'vary'))

beforeAll(async () => {
  h = await startVendHarness()
  alice = await h.signer.sign({}, { sub: 'alice' })
})
afterAll(() => h.close())

describe('CORS on credential routes', () => {
  it('a listed origin of an oss-upload profile gets an exact-origin preflight, never a credentials flag', async () => {
    const res = await preflight('photos', APP_ORIGIN)
    expect(res.status).toBe(204)
    expect(corsHeaders(res.headers)).toEqual({
      'access-control-allow-origin': APP_ORIGIN,
      'access-control-allow-methods': 'GET, POST',
      'access-control-allow-headers': 'authorization, content-type',
      'access-control-max-age': '600',
      vary: 'Origin',
    })
  })

  it('answers unknown profiles, other kinds, unlisted origins and other methods with the same bare 204', async () => {
    const refused = await Promise.all([
      preflight('no-such-profile', APP_ORIGIN),
      preflight('plain', APP_ORIGIN),
      preflight('photos', 'https://evil.example.com'),
      preflight('photos', 'https://app.example.com:8443'),
      preflight('photos', 'http://app.example.com'),
      preflight('photos', 'null'),
      preflight('photos', APP_ORIGIN, 'DELETE'),
    ])
    const shapes = refused.map((r) => ({
      status: r.status,
      cors: corsHeaders(r.headers),
      body: r.text,
    }))
    for (const shape of shapes)
      expect(shape).toEqual({ status: 204, cors: { vary: 'Origin' }, body: '' })
  })

  it('the actual response (and an error) carries the origin and exposes X-Request-Id to a listed origin only', async () => {
    const ok = await h.request('/v1/credentials/photos', {
      method: 'POST',
      token: alice,
      headers: { origin: APP_ORIGIN },
    })
    expect(ok.status).toBe(200)
    expect(ok.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN)
    expect(ok.headers.get('access-control-expose-headers')).toBe('X-Request-Id')
    expect(ok.headers.get('access-control-allow-credentials')).toBeNull()
    expect(ok.headers.get('vary')).toContain('Origin')
    const denied = await h.request('/v1/credentials/photos', {
      method: 'POST',
      token: 'not-a-token',
      headers: { origin: APP_ORIGIN },
    })
    expect(denied.status).toBe(401)
    expect(denied.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN)
    const stranger = await h.request('/v1/credentials/photos', {
      method: 'POST',
      token: alice,
      headers: { origin: 'https://evil.example.com' },
    })
    expect(stranger.headers.get('access-control-allow-origin')).toBeNull()
    const sts = await h.request('/v1/credentials/plain', {
      method: 'POST',
      token: alice,
      headers: { origin: APP_ORIGIN },
    })
    expect(sts.status).toBe(200)
    expect(sts.headers.get('access-control-allow-origin')).toBeNull()
  })
})
