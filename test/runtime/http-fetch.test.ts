import { once } from 'node:events'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { gzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createHttpFetch } from '../../functions/node/platform/http-fetch.ts'
import { freePort } from '../helpers/free-port.ts'

/**
 * The node:http fetch FC injects as deps.fetch, held to what Node's global fetch does for the
 * same request: the same statuses, headers and bodies, and the same kinds of rejection.
 */
type Route = (req: IncomingMessage, body: string, res: ServerResponse) => void

const routes: Record<string, Route> = {
  '/echo': (req, body, res) => {
    res.setHeader('content-type', 'application/json')
    res.setHeader('x-upstream', 'sts')
    res.end(JSON.stringify({ method: req.method, headers: req.headers, body }))
  },
  '/text': (_req, _body, res) => {
    res.writeHead(418, 'Short And Stout', { 'content-type': 'text/plain' })
    res.end('teapot')
  },
  '/empty': (_req, _body, res) => {
    res.writeHead(204)
    res.end()
  },
  '/gzip': (_req, _body, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' })
    res.end(gzipSync('{"zipped":true}'))
  },
  '/moved': (_req, _body, res) => {
    res.writeHead(302, { location: '/echo' })
    res.end()
  },
  '/slow': (_req, _body, res) => {
    setTimeout(() => res.end('late'), 5_000).unref()
  },
  '/cut': (_req, _body, res) => {
    res.writeHead(200, { 'content-length': '100' })
    res.write('only ten b')
    setTimeout(() => res.destroy(), 20)
  },
}

let server: Server
let base: string
const connections: Socket[] = []
/** Requests each connection has carried, to see keep-alive reuse and to cut a reused one. */
const served = new WeakMap<Socket, number>()
let dropNextReused = false

beforeAll(async () => {
  server = createServer((req, res) => {
    const count = (served.get(req.socket) ?? 0) + 1
    served.set(req.socket, count)
    if (dropNextReused && count > 1) {
      // A keep-alive connection the server gave up on while the client still holds it.
      dropNextReused = false
      req.socket.destroy()
      return
    }
    let body = ''
    req.setEncoding('utf8')
    req.on('data', (chunk: string) => (body += chunk))
    req.on('end', () => routes[req.url!.split('?')[0]!]!(req, body, res))
  })
  server.on('connection', (socket: Socket) => connections.push(socket))
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(() => {
  server.closeAllConnections()
  server.close()
})

describe('node:http fetch: answers', () => {
  const httpFetch = createHttpFetch()

  it('status, status text, headers and a text body', async () => {
    const response = await httpFetch(`${base}/text`)
    expect([response.status, response.statusText, response.ok]).toEqual([
      418,
      'Short And Stout',
      false,
    ])
    expect(response.headers.get('content-type')).toBe('text/plain')
    expect(await response.text()).toBe('teapot')
  })

  it('a JSON body, and the headers fetch sends with a string body', async () => {
    const response = await httpFetch(`${base}/echo?x=1`, {
      method: 'post',
      headers: { 'x-acs-action': 'AssumeRole' },
      body: 'a=1&b=é',
    })
    expect(response.headers.get('x-upstream')).toBe('sts')
    const echoed = await response.json()
    expect(echoed).toMatchObject({ method: 'POST', body: 'a=1&b=é' })
    expect(echoed.headers).toMatchObject({
      'x-acs-action': 'AssumeRole',
      'content-type': 'text/plain;charset=UTF-8',
      'content-length': String(Buffer.byteLength('a=1&b=é')),
      accept: '*/*',
    })
  })

  it('byte and form bodies, a caller’s content type kept, an empty POST sent with length 0', async () => {
    const bytes = await httpFetch(`${base}/echo`, {
      method: 'POST',
      headers: new Headers({ 'content-type': 'application/octet-stream' }),
      body: new TextEncoder().encode('raw'),
    })
    expect(await bytes.json()).toMatchObject({
      body: 'raw',
      headers: { 'content-type': 'application/octet-stream', 'content-length': '3' },
    })
    const form = await httpFetch(`${base}/echo`, {
      method: 'POST',
      body: new URLSearchParams({ Action: 'GetSecretValue' }),
    })
    expect(await form.json()).toMatchObject({
      body: 'Action=GetSecretValue',
      headers: { 'content-type': 'application/x-www-form-urlencoded;charset=UTF-8' },
    })
    const none = await httpFetch(`${base}/echo`, { method: 'POST' })
    expect((await none.json()).headers['content-length']).toBe('0')
  })

  it('a 204 has a null body; a gzip body is decoded, as fetch decodes it', async () => {
    const empty = await httpFetch(`${base}/empty`)
    expect([empty.status, empty.body]).toEqual([204, null])
    expect(await (await httpFetch(`${base}/gzip`)).json()).toEqual({ zipped: true })
  })

  it("redirect: 'manual' hands back the 3xx; a redirect nobody asked to see is refused", async () => {
    const moved = await httpFetch(`${base}/moved`, { redirect: 'manual' })
    expect([moved.status, moved.headers.get('location')]).toEqual([302, '/echo'])
    await expect(httpFetch(`${base}/moved`)).rejects.toThrow(TypeError)
  })

  it('keeps the connection alive between requests', async () => {
    const before = connections.length
    for (let i = 0; i < 3; i++) await (await httpFetch(`${base}/echo`)).text()
    expect(connections.length - before).toBeLessThanOrEqual(1)
  })

  it('sends again on a fresh connection when the server dropped the kept one', async () => {
    await (await httpFetch(`${base}/echo`)).text()
    dropNextReused = true
    const before = connections.length
    const response = await httpFetch(`${base}/echo`, { method: 'POST', body: 'again' })
    expect((await response.json()).body).toBe('again')
    expect(dropNextReused).toBe(false)
    expect(connections.length - before).toBe(1)
  })
})

describe('node:http fetch: rejections of the kinds fetch rejects with', () => {
  const httpFetch = createHttpFetch()

  it('a timeout signal rejects with its TimeoutError, as fetch does', async () => {
    const started = performance.now()
    const error = await httpFetch(`${base}/slow`, { signal: AbortSignal.timeout(100) }).catch(
      (e: unknown) => e,
    )
    expect(error).toBeInstanceOf(DOMException)
    expect((error as DOMException).name).toBe('TimeoutError')
    expect(performance.now() - started).toBeLessThan(4_000)
    const global = await fetch(`${base}/slow`, { signal: AbortSignal.timeout(100) }).catch(
      (e: unknown) => e,
    )
    expect((global as DOMException).name).toBe('TimeoutError')
  })

  it('an abort rejects with an AbortError; an already aborted signal sends nothing', async () => {
    const controller = new AbortController()
    const pending = httpFetch(`${base}/slow`, { signal: controller.signal })
    setTimeout(() => controller.abort(), 50)
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' })
    const before = connections.length
    await expect(
      httpFetch('http://127.0.0.1:9/never', { signal: AbortSignal.abort() }),
    ).rejects.toMatchObject({ name: 'AbortError' })
    expect(connections.length).toBe(before)
  })

  it('a refused connection rejects with TypeError, the cause naming it', async () => {
    const closed = `http://127.0.0.1:${await freePort()}/`
    const error = (await createHttpFetch()(closed).catch((e: unknown) => e)) as TypeError
    expect(error).toBeInstanceOf(TypeError)
    expect((error.cause as NodeJS.ErrnoException).code).toBe('ECONNREFUSED')
    await expect(fetch(closed)).rejects.toThrow(TypeError)
  })

  it('an answer cut short rejects with TypeError', async () => {
    await expect(httpFetch(`${base}/cut`)).rejects.toThrow(TypeError)
  })

  it('arguments fetch refuses are refused with TypeError', async () => {
    await expect(httpFetch(`${base}/echo`, { body: 'x' })).rejects.toThrow(TypeError)
    await expect(httpFetch('ftp://127.0.0.1/')).rejects.toThrow(TypeError)
    await expect(httpFetch('http://user:pw@127.0.0.1/')).rejects.toThrow(TypeError)
    await expect(httpFetch('not a url')).rejects.toThrow(TypeError)
    await expect(httpFetch(new Request(`${base}/echo`))).rejects.toThrow(TypeError)
  })
})
