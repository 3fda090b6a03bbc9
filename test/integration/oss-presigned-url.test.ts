import { createRequire } from 'node:module'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { PRESIGN_MAX_SECONDS } from '../../lib/vend/presign-url.ts'
import { startVendHarness, type VendHarness } from '../helpers/vend-harness.ts'

// ali-oss is the oracle: its own V4 URL signer, called unchanged with the same credentials and time.
const require = createRequire(import.meta.url)
const OSS = require('ali-oss') as new (options: Record<string, unknown>) => {
  signatureUrlV4(
    method: string,
    expires: number,
    request: { headers?: Record<string, string> },
    objectName: string,
  ): Promise<string>
}

interface Presigned {
  Code: string
  Expiration: string
  Prefix: string
  PresignedUrl: {
    Url: string
    Method: string
    Key: string
    Headers: Record<string, string>
    Expiration: string
  }
  [field: string]: unknown
}

let h: VendHarness
let alice: string

const presign = (body: unknown, profile = 'photos', token = alice) =>
  h.request(`/v1/credentials/${profile}`, { method: 'POST', token, body: { presign: body } })

const presigned = async (body: {
  method: 'PUT' | 'GET'
  key: string
  contentType?: string
}): Promise<Presigned> => {
  const res = await presign(body)
  expect(res.status, res.text).toBe(200)
  return res.json() as Presigned
}

/** The plain vend of the same profile: the same cached credentials the URL was signed with. */
const credentials = async () => {
  const res = await h.request('/v1/credentials/photos', { method: 'POST', token: alice })
  expect(res.status, res.text).toBe(200)
  return res.json() as Record<string, string>
}

let prefix: string

/** Status and OSS error code of a request, as `403 SignatureDoesNotMatch` or `200`. */
const send = async (url: string, init: RequestInit = {}) => {
  const res = await fetch(url, init)
  const text = await res.text()
  const code = /<Code>([^<]*)<\/Code>/.exec(text)?.[1]
  return code ? `${res.status} ${code}` : `${res.status}`
}

const put = (url: string, contentType: string, body = 'hello') =>
  send(url, {
    method: 'PUT',
    headers: { 'Content-Type': contentType },
    body: new TextEncoder().encode(body),
  })

const refusal = async (body: unknown, profile?: string) => {
  const res = await presign(body, profile)
  return `${res.status} ${(res.json() as { Code: string }).Code}`
}

beforeAll(async () => {
  h = await startVendHarness()
  alice = await h.signer.sign({}, { sub: 'alice' })
  prefix = (await credentials()).Prefix!
})
afterAll(() => h.close())
afterEach(() => {
  vi.useRealTimers()
  h.emulator.clock.reset()
})

describe('presign: a V4 presigned URL for one object', () => {
  it.each([
    ['PUT', 'image/png', 'photo.png'],
    ['PUT', 'text/plain; charset=utf-8', 'notes/my notes é.txt'],
    ['GET', undefined, 'photo.png'],
  ] as const)(
    '%s %s: the same URL ali-oss signatureUrlV4 signs',
    async (method, contentType, name) => {
      const key = `${prefix}${name}`
      const body = await presigned({ method, key, ...(contentType ? { contentType } : {}) })
      const ours = new URL(body.PresignedUrl.Url)
      const creds = await credentials()
      const client = new OSS({
        accessKeyId: creds.AccessKeyId,
        accessKeySecret: creds.AccessKeySecret,
        stsToken: creds.SecurityToken,
        bucket: creds.Bucket,
        region: creds.Region,
        endpoint: creds.Endpoint,
        sldEnable: true,
        authorizationV4: true,
        // No refresher: the URL must be signed with exactly these credentials. The interval
        // only quiets ali-oss's advice to set one.
        refreshSTSTokenInterval: 3_600_000,
      })
      // ali-oss signs at `new Date()`: pinned to the instant credvend signed at.
      const signedAt = ours.searchParams.get('x-oss-date')!
      vi.useFakeTimers({
        toFake: ['Date'],
        now: new Date(
          signedAt.replace(/^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$/, '$1-$2-$3T$4:$5:$6Z'),
        ),
      })
      const theirs = new URL(
        await client.signatureUrlV4(
          method,
          Number(ours.searchParams.get('x-oss-expires')),
          { headers: contentType ? { 'content-type': contentType } : {} },
          key,
        ),
      )
      vi.useRealTimers()
      expect(ours.origin + ours.pathname).toBe(theirs.origin + theirs.pathname)
      expect(Object.fromEntries(ours.searchParams)).toEqual(Object.fromEntries(theirs.searchParams))
      expect(body.PresignedUrl.Headers).toEqual(contentType ? { 'Content-Type': contentType } : {})
    },
  )

  it('OSS accepts the URL for its key and content type, and the GET URL reads it back', async () => {
    const key = `${prefix}accepted.png`
    const up = await presigned({ method: 'PUT', key, contentType: 'image/png' })
    expect(await put(up.PresignedUrl.Url, 'image/png', 'png bytes')).toBe('200')
    const down = await presigned({ method: 'GET', key })
    const res = await fetch(down.PresignedUrl.Url)
    expect([res.status, res.headers.get('content-type'), await res.text()]).toEqual([
      200,
      'image/png',
      'png bytes',
    ])
  })

  it('OSS refuses it for another key, another content type, or a tampered signature', async () => {
    const key = `${prefix}bound.png`
    const { Url } = (await presigned({ method: 'PUT', key, contentType: 'image/png' })).PresignedUrl
    const otherKey = Url.replace('/bound.png?', '/other.png?')
    expect(otherKey).not.toBe(Url)
    expect(await put(otherKey, 'image/png')).toBe('403 SignatureDoesNotMatch')
    expect(await put(Url, 'text/html')).toBe('403 SignatureDoesNotMatch')
    const url = new URL(Url)
    const signature = url.searchParams.get('x-oss-signature')!
    url.searchParams.set(
      'x-oss-signature',
      `${signature[0] === '0' ? '1' : '0'}${signature.slice(1)}`,
    )
    expect(await put(url.href, 'image/png')).toBe('403 SignatureDoesNotMatch')
    expect(h.emulator.oss.store.keys('demo-bucket')).not.toContain(`${prefix}other.png`)
    expect(h.emulator.oss.store.keys('demo-bucket')).not.toContain(key)
  })

  it('OSS refuses it once expired, and it never outlives the credentials that signed it', async () => {
    const key = `${prefix}late.png`
    const body = await presigned({ method: 'PUT', key, contentType: 'image/png' })
    const creds = await credentials()
    const url = new URL(body.PresignedUrl.Url)
    const seconds = Number(url.searchParams.get('x-oss-expires'))
    expect(seconds).toBeGreaterThan(0)
    expect(seconds).toBeLessThanOrEqual(PRESIGN_MAX_SECONDS)
    expect(Date.parse(body.PresignedUrl.Expiration)).toBeLessThanOrEqual(
      Date.parse(creds.Expiration!),
    )
    expect(body.Expiration).toBe(body.PresignedUrl.Expiration)
    const signedAt = Date.parse(
      url.searchParams
        .get('x-oss-date')!
        .replace(/^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$/, '$1-$2-$3T$4:$5:$6Z'),
    )
    expect(signedAt + seconds * 1000).toBe(Date.parse(body.PresignedUrl.Expiration))
    h.emulator.clock.shift(seconds * 1000 + 2_000)
    const res = await fetch(url, {
      method: 'PUT',
      headers: { 'Content-Type': 'image/png' },
      body: new Uint8Array([1]),
    })
    expect([res.status, /<Message>([^<]*)</.exec(await res.text())?.[1]]).toEqual([
      403,
      'Request has expired.',
    ])
  })

  it('carries no AccessKeySecret, and the security token only inside the URL', async () => {
    const res = await presign({ method: 'PUT', key: `${prefix}a.png`, contentType: 'image/png' })
    const creds = await credentials()
    const body = res.json() as Presigned
    expect(res.text).not.toContain(creds.AccessKeySecret)
    expect(Object.keys(body)).not.toEqual(
      expect.arrayContaining(['AccessKeySecret', 'SecurityToken']),
    )
    expect(Object.keys(body).filter((k) => /Secret|Token|AccessKey/.test(k))).toEqual([])
    expect(new URL(body.PresignedUrl.Url).searchParams.get('x-oss-security-token')).toBe(
      creds.SecurityToken,
    )
    expect(res.headers.get('cache-control')).toBe('no-store')
  })

  it.each([
    ['another caller’s prefix', { method: 'PUT', key: 'users/bob/x.png', contentType: 'a/b' }],
    ['the bucket root', { method: 'GET', key: 'x.png' }],
    ['an empty key', { method: 'GET', key: '' }],
    ['the prefix itself', { method: 'GET', key: 'PREFIX' }],
    ['a .. segment', { method: 'GET', key: 'PREFIX../users/bob/x' }],
    ['a .. segment inside', { method: 'GET', key: 'PREFIXa/../../bob/x' }],
    ['a %', { method: 'GET', key: 'PREFIX%2e%2e/x' }],
    ['a backslash', { method: 'GET', key: 'PREFIXa\\x' }],
    ['a colon', { method: 'GET', key: 'PREFIXa:x' }],
    ['over 1023 bytes', { method: 'GET', key: `PREFIX${'é'.repeat(512)}` }],
    ['a PUT without contentType', { method: 'PUT', key: 'PREFIXx.png' }],
    ['a GET with contentType', { method: 'GET', key: 'PREFIXx.png', contentType: 'image/png' }],
  ])('refuses %s with ERR_NARROWING_DENIED before any STS call', async (_, request) => {
    // Another duration is another cache key: a refusal that reached STS would show as a call.
    const before = h.assumeRoleCalls()
    const body = { ...request, key: request.key.replace('PREFIX', prefix) }
    const res = await h.request('/v1/credentials/photos', {
      method: 'POST',
      token: alice,
      body: { presign: body, durationSeconds: 1800 },
    })
    expect(`${res.status} ${(res.json() as { Code: string }).Code}`).toBe(
      '403 ERR_NARROWING_DENIED',
    )
    expect(h.assumeRoleCalls()).toBe(before)
  })

  it('is refused by a form-only profile, a plain STS profile, with form, or malformed', async () => {
    const key = `${prefix}x.png`
    expect(await refusal({ method: 'PUT', key, contentType: 'image/png' }, 'photo-form')).toBe(
      '403 ERR_NARROWING_DENIED',
    )
    expect(await refusal({ method: 'GET', key }, 'plain')).toBe('400 ERR_BAD_REQUEST')
    const both = await h.request('/v1/credentials/photos', {
      method: 'POST',
      token: alice,
      body: { form: true, presign: { method: 'GET', key } },
    })
    expect(both.status).toBe(400)
    expect(await refusal({ method: 'DELETE', key })).toBe('400 ERR_BAD_REQUEST')
    expect(await refusal({ method: 'GET', key, acl: 'public-read' })).toBe('400 ERR_BAD_REQUEST')
    expect(await refusal({ method: 'PUT', key, contentType: 'image/png\r\nx: y' })).toBe(
      '400 ERR_BAD_REQUEST',
    )
  })
})
