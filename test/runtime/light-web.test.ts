import { describe, expect, it } from 'vitest'
import * as light from '../../functions/fc/light-web-globals.ts'

/**
 * The FC built-in bundle's light Headers, Request and Response against Node's own (undici, which
 * follows the Fetch standard): every scenario runs on both and must come out the same, errors
 * included (by class). What the light classes refuse by design (Blob and FormData bodies) is
 * tested apart.
 */
interface Impl {
  readonly Headers: typeof Headers
  readonly Request: typeof Request
  readonly Response: typeof Response
}
const native: Impl = { Headers, Request, Response }
const lightImpl = light as unknown as Impl

const outcome = async (run: () => unknown): Promise<unknown> => {
  try {
    return { value: await run() }
  } catch (error) {
    return { error: (error as Error).constructor.name }
  }
}

const sameOnBoth = (name: string, scenario: (impl: Impl) => unknown) =>
  it(name, async () => {
    const expected = await outcome(() => scenario(native))
    expect(await outcome(() => scenario(lightImpl))).toEqual(expected)
  })

const pairs = (h: Headers) => [...h]

describe('light Headers behave as the Fetch standard says', () => {
  sameOnBoth('fold names, join repeats, keep set-cookie apart, iterate sorted', ({ Headers }) => {
    const h = new Headers({ 'X-B': ' two ', 'x-a': '1' })
    h.append('X-A', '2')
    h.append('Set-Cookie', 'a=1')
    h.append('set-cookie', 'b=2')
    const seen: string[] = []
    h.forEach((value, name) => seen.push(`${name}=${value}`))
    return {
      pairs: pairs(h),
      seen,
      get: [h.get('x-a'), h.get('X-B'), h.get('set-cookie'), h.get('missing')],
      cookies: h.getSetCookie(),
      keys: [...h.keys()],
      values: [...h.values()],
      has: [h.has('X-A'), h.has('nope')],
    }
  })
  sameOnBoth('set and delete replace every value of a name', ({ Headers }) => {
    const h = new Headers([
      ['a', '1'],
      ['A', '2'],
    ])
    h.set('a', '3')
    h.append('b', '4')
    h.delete('B')
    return pairs(h)
  })
  sameOnBoth('copy another Headers (of either kind) and records', ({ Headers }) => {
    const source = new Headers({ one: '1' })
    source.append('set-cookie', 'x=1')
    source.append('set-cookie', 'y=2')
    return [pairs(new Headers(source)), pairs(new Headers(new native.Headers(source)))]
  })
  sameOnBoth('refuse a bad name', ({ Headers }) => new Headers({ 'bad name': '1' }))
  sameOnBoth('refuse a value with a line break', ({ Headers }) =>
    new Headers().append('a', 'x\r\ny: 1'),
  )
  sameOnBoth(
    'refuse a pair that is not two items',
    ({ Headers }) => new Headers([['a', '1', '2']] as unknown as [string, string][]),
  )
})

describe('light Request behaves as the Fetch standard says', () => {
  sameOnBoth('normalize URL and method', ({ Request }) => {
    const r = new Request('HTTPS://Example.COM/a/../b?x=1#frag', { method: 'post' })
    const patch = new Request('https://example.com/', { method: 'patch' })
    return [r.url, r.method, patch.method, r.redirect, r.bodyUsed, r.body === null]
  })
  sameOnBoth('refuse a relative URL', ({ Request }) => new Request('/relative'))
  sameOnBoth('refuse credentials in the URL', ({ Request }) => new Request('https://u:p@x.test/'))
  sameOnBoth(
    'refuse an invalid method',
    ({ Request }) => new Request('https://x.test/', { method: 'BAD METHOD' }),
  )
  sameOnBoth(
    'refuse a forbidden method',
    ({ Request }) => new Request('https://x.test/', { method: 'connect' }),
  )
  sameOnBoth('refuse a body on GET', ({ Request }) => new Request('https://x.test/', { body: 'x' }))
  sameOnBoth('type a string body; keep a given type', async ({ Request }) => {
    const plain = new Request('https://x.test/', { method: 'POST', body: 'hello' })
    const typed = new Request('https://x.test/', {
      method: 'POST',
      body: '{"a":1}',
      headers: { 'content-type': 'application/json' },
    })
    const form = new Request('https://x.test/', {
      method: 'POST',
      body: new URLSearchParams({ a: '1 2' }),
    })
    const bytes = new Request('https://x.test/', {
      method: 'POST',
      body: new Uint8Array([104, 105]),
    })
    return [
      plain.headers.get('content-type'),
      await plain.text(),
      typed.headers.get('content-type'),
      await typed.json(),
      form.headers.get('content-type'),
      await form.text(),
      bytes.headers.get('content-type'),
      (await bytes.arrayBuffer()).byteLength,
    ]
  })
  sameOnBoth('read a body once', async ({ Request }) => {
    const r = new Request('https://x.test/', { method: 'POST', body: 'once' })
    const first = await r.text()
    return [first, r.bodyUsed, await outcome(() => r.text())]
  })
  sameOnBoth('clone, then read both', async ({ Request }) => {
    const r = new Request('https://x.test/', { method: 'PUT', body: 'twice' })
    const copy = r.clone()
    return [await r.text(), await copy.text(), copy.method, copy.url]
  })
  sameOnBoth('clone after the stream was taken, then read both', async ({ Request }) => {
    const r = new Request('https://x.test/', { method: 'PUT', body: 'streamed' })
    const hadStream = r.body !== null
    const copy = r.clone()
    return [hadStream, await copy.text(), await r.text()]
  })
  sameOnBoth('rebuild with a new body, keeping method and headers', async ({ Request }) => {
    const r = new Request('https://x.test/p', {
      method: 'POST',
      body: 'old',
      headers: { 'x-a': '1' },
    })
    const next = new Request(r, { body: new TextEncoder().encode('new') })
    return [next.method, next.url, pairs(next.headers), await next.text(), r.bodyUsed]
  })
  sameOnBoth('rebuild without init takes the body', async ({ Request }) => {
    const r = new Request('https://x.test/p', { method: 'POST', body: 'moved' })
    const next = new Request(r)
    return [await next.text(), next.method]
  })
  sameOnBoth('read the body as a stream', async ({ Request }) => {
    const r = new Request('https://x.test/', { method: 'POST', body: 'chunk' })
    const reader = r.body!.getReader()
    const chunks: number[] = []
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      chunks.push(...value)
    }
    return [
      new TextDecoder().decode(new Uint8Array(chunks)),
      r.bodyUsed,
      await outcome(() => r.text()),
    ]
  })
  sameOnBoth('a signal is always there', ({ Request }) => {
    const r = new Request('https://x.test/')
    const controller = new AbortController()
    const given = new Request('https://x.test/', { signal: controller.signal })
    controller.abort()
    return [r.signal.aborted, given.signal.aborted]
  })
})

describe('light Response behaves as the Fetch standard says', () => {
  sameOnBoth('defaults, text and type', async ({ Response }) => {
    const r = new Response('hi')
    return [
      r.status,
      r.ok,
      r.statusText,
      r.type,
      r.url,
      r.redirected,
      pairs(r.headers),
      await r.text(),
    ]
  })
  sameOnBoth('status, status text and record headers', async ({ Response }) => {
    const r = new Response('{"a":1}', {
      status: 404,
      statusText: 'Not Found',
      headers: { 'content-type': 'application/json', 'x-b': '2' },
    })
    return [r.status, r.ok, r.statusText, pairs(r.headers), await r.json()]
  })
  sameOnBoth('null body for 204', async ({ Response }) => {
    const r = new Response(null, { status: 204 })
    return [r.status, r.body, await r.text()]
  })
  sameOnBoth('refuse a body on 204', ({ Response }) => new Response('x', { status: 204 }))
  sameOnBoth('refuse status 600', ({ Response }) => new Response('x', { status: 600 }))
  sameOnBoth('refuse status 199', ({ Response }) => new Response('x', { status: 199 }))
  sameOnBoth(
    'refuse a status text with a line break',
    ({ Response }) => new Response('x', { statusText: 'a\nb' }),
  )
  sameOnBoth('bytes in, bytes out', async ({ Response }) => {
    const bytes = new Uint8Array([0, 255, 10])
    const r = new Response(bytes)
    bytes[0] = 7
    return [r.headers.get('content-type'), [...new Uint8Array(await r.arrayBuffer())]]
  })
  sameOnBoth('rebuild from another response body stream, as Hono does', async ({ Response }) => {
    const first = new Response('moved on', { status: 201, headers: { 'x-a': '1' } })
    const second = new Response(first.body, first)
    return [second.status, pairs(second.headers), await second.text(), first.bodyUsed]
  })
  sameOnBoth('clone, then read both', async ({ Response }) => {
    const r = new Response('both', { status: 202 })
    const copy = r.clone()
    return [await copy.text(), await r.text(), copy.status]
  })
  sameOnBoth('Response.json', async ({ Response }) => {
    const r = Response.json({ a: [1] }, { status: 400, headers: { 'x-a': '1' } })
    return [r.status, pairs(r.headers), await r.text()]
  })
  sameOnBoth('Response.redirect', ({ Response }) => {
    const r = Response.redirect('https://x.test/a/../b', 307)
    return [r.status, pairs(r.headers)]
  })
  sameOnBoth('refuse a redirect status that is not one', ({ Response }) =>
    Response.redirect('https://x.test/', 200),
  )
  sameOnBoth('Response.error', ({ Response }) => {
    const r = Response.error()
    return [r.status, r.type, r.ok]
  })
  sameOnBoth('blob keeps the type', async ({ Response }) => {
    const blob = await new Response('abc', { headers: { 'content-type': 'text/x' } }).blob()
    return [blob.type, blob.size, await blob.text()]
  })
})

describe('light classes refuse what would need undici', () => {
  it('FormData and Blob bodies, and formData()', async () => {
    expect(() => new lightImpl.Response(new Blob(['x']))).toThrow(TypeError)
    await expect(
      new lightImpl.Request('https://x.test/', { method: 'POST', body: 'a=1' }).formData(),
    ).rejects.toThrow(TypeError)
  })
})
