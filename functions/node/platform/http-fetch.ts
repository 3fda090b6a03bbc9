import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http'
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https'
import { LightHeaders } from './light-headers.ts'
import { LightResponse } from './light-response.ts'

/**
 * A `fetch` over `node:http`/`node:https`, which the Node server and FC's two shapes hand to lib/
 * as `deps.fetch`.
 * Node's global fetch (undici) has a cold instance wait for its connection machinery and its
 * WebAssembly HTTP parser on the first STS call; `node:http` parses with the llhttp built into
 * Node. It covers what lib/ asks of a fetch: a string or URL, any method, headers, a string, byte
 * or form body, `signal`, and `redirect: 'manual'` (a redirect is never followed: with any other
 * mode one rejects). Bodies are read whole before the Response is returned: STS and KMS answers
 * are a few KB. Its Headers and Response are the light ones (light-headers.ts, light-response.ts):
 * undici's cost a cache miss about 25 µs of CPU to build and read one answer.
 */
export const createHttpFetch = (): typeof fetch => {
  // Idle sockets close after 4 s, the keepAliveTimeout undici's global fetch keeps them for
  // (https://undici.nodejs.org/#/docs/api/Client.md), or earlier when the server announces a
  // shorter Keep-Alive timeout; at most 64 connections per host.
  const agentOptions = { keepAlive: true, timeout: 4_000, maxSockets: 64 }
  const agents = { http: new HttpAgent(agentOptions), https: new HttpsAgent(agentOptions) }

  const httpFetch = async (input: string | URL | Request, init: RequestInit = {}) => {
    const request = prepare(input, init)
    init.signal?.throwIfAborted()
    const agent = request.url.protocol === 'https:' ? agents.https : agents.http
    const { head, body } = await exchange(request, agent, init.signal ?? undefined)
    return toResponse(request, head, body)
  }
  return httpFetch as typeof fetch
}

interface Prepared {
  readonly url: URL
  readonly method: string
  readonly headers: Record<string, string>
  readonly body: Buffer | undefined
  readonly redirect: RequestRedirect
}

/** Methods fetch normalizes to upper case (https://fetch.spec.whatwg.org/#concept-method-normalize). */
const NORMALIZED = new Set(['DELETE', 'GET', 'HEAD', 'OPTIONS', 'POST', 'PUT'])

/** Argument errors reject with TypeError, as fetch's do. */
const prepare = (input: string | URL | Request, init: RequestInit): Prepared => {
  if (typeof input !== 'string' && !(input instanceof URL)) {
    throw new TypeError('this fetch takes a URL, not a Request')
  }
  const url = new URL(input)
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new TypeError(`fetch failed: unsupported scheme ${url.protocol}`)
  }
  if (url.username || url.password) throw new TypeError('URL includes credentials')
  const given = init.method ?? 'GET'
  const method = NORMALIZED.has(given.toUpperCase()) ? given.toUpperCase() : given
  const headers = new LightHeaders(init.headers)
  const body = encodeBody(init.body, headers)
  if (body !== undefined && (method === 'GET' || method === 'HEAD')) {
    throw new TypeError('Request with GET/HEAD method cannot have body.')
  }
  if (!headers.has('accept')) headers.set('accept', '*/*')
  // fetch sends an explicit zero length for a bodiless POST or PUT.
  if (body !== undefined || method === 'POST' || method === 'PUT') {
    headers.set('content-length', String(body?.length ?? 0))
  }
  return {
    url,
    method,
    headers: Object.fromEntries(headers),
    body,
    redirect: init.redirect ?? 'follow',
  }
}

/** The body kinds lib/ sends, with the content type fetch gives each when none is set. */
const encodeBody = (body: RequestInit['body'], headers: LightHeaders): Buffer | undefined => {
  if (body === undefined || body === null) return undefined
  const typed = (type: string) => {
    if (!headers.has('content-type')) headers.set('content-type', type)
  }
  if (typeof body === 'string') {
    typed('text/plain;charset=UTF-8')
    return Buffer.from(body, 'utf8')
  }
  if (body instanceof URLSearchParams) {
    typed('application/x-www-form-urlencoded;charset=UTF-8')
    return Buffer.from(body.toString(), 'utf8')
  }
  if (body instanceof ArrayBuffer) return Buffer.from(body)
  if (ArrayBuffer.isView(body)) return Buffer.from(body.buffer, body.byteOffset, body.byteLength)
  throw new TypeError('this fetch sends string, byte and URLSearchParams bodies only')
}

/**
 * One request and its whole answer. A reused keep-alive socket the server closed meanwhile fails
 * with ECONNRESET before any answer; the request goes again on another socket, as Node's docs
 * advise (https://nodejs.org/api/http.html#requestreusedsocket). Every call lib/ makes (STS,
 * KMS, metadata, JWKS) may safely be repeated.
 */
const exchange = (request: Prepared, agent: HttpAgent, signal: AbortSignal | undefined) =>
  new Promise<{ head: IncomingMessage; body: Buffer }>((resolve, reject) => {
    let settled = false
    let stop = () => {}
    const settle = (end: () => void) => {
      if (settled) return
      settled = true
      signal?.removeEventListener('abort', onAbort)
      end()
    }
    const failed = (cause: unknown) =>
      settle(() => reject(new TypeError('fetch failed', { cause })))
    // Like fetch, an abort rejects with the signal's reason: a TimeoutError for
    // AbortSignal.timeout, an AbortError for AbortController#abort().
    const onAbort = () =>
      settle(() => {
        stop()
        reject(signal!.reason)
      })
    signal?.addEventListener('abort', onAbort, { once: true })

    const attempt = () => {
      const send = request.url.protocol === 'https:' ? httpsRequest : httpRequest
      const req = send(request.url, { method: request.method, headers: request.headers, agent })
      let answered = false
      stop = () => req.destroy()
      req.on('error', (error: NodeJS.ErrnoException) => {
        if (!answered && !settled && req.reusedSocket && error.code === 'ECONNRESET') attempt()
        else failed(error)
      })
      req.on('response', (head) => {
        answered = true
        const chunks: Buffer[] = []
        head.on('data', (chunk: Buffer) => chunks.push(chunk))
        head.on('error', failed)
        head.on('close', () => {
          if (!head.complete) failed(new Error('the answer ended early'))
        })
        head.on('end', () => settle(() => resolve({ head, body: Buffer.concat(chunks) })))
      })
      req.end(request.body)
    }
    attempt()
  })

/** Statuses whose Response must have a null body (https://fetch.spec.whatwg.org/#null-body-status). */
const NULL_BODY = new Set([101, 103, 204, 205, 304])

/**
 * The decoder for a Content-Encoding, from node:zlib loaded on first need: lib/ sends no
 * Accept-Encoding, so STS and KMS answers arrive unencoded and most processes never load it.
 */
const decoderFor = async (encoding: string): Promise<((bytes: Buffer) => Buffer) | undefined> => {
  if (!['gzip', 'x-gzip', 'deflate', 'br'].includes(encoding)) return undefined
  const zlib = await import('node:zlib')
  return encoding === 'br'
    ? zlib.brotliDecompressSync
    : encoding === 'deflate'
      ? zlib.inflateSync
      : zlib.gunzipSync
}

const toResponse = async (
  request: Prepared,
  head: IncomingMessage,
  body: Buffer,
): Promise<Response> => {
  const status = head.statusCode ?? 0
  const headers = new LightHeaders()
  try {
    for (let i = 0; i < head.rawHeaders.length; i += 2) {
      headers.append(head.rawHeaders[i]!, head.rawHeaders[i + 1]!)
    }
    if (request.redirect !== 'manual' && status >= 300 && status < 400 && headers.has('location')) {
      // lib/ never follows a redirect; a caller that did not say so learns of it rather than
      // silently getting the 3xx.
      throw new Error(`redirect to ${headers.get('location')} not followed`)
    }
    const empty = NULL_BODY.has(status) || request.method === 'HEAD'
    const decode = await decoderFor(headers.get('content-encoding')?.trim().toLowerCase() ?? '')
    const raw = decode && body.length > 0 ? decode(body) : body
    // Node allocates both from a plain ArrayBuffer, never a SharedArrayBuffer.
    const bytes = empty ? null : (raw as Uint8Array<ArrayBuffer>)
    return new LightResponse(bytes, {
      status,
      statusText: head.statusMessage ?? '',
      headers,
    }) as unknown as Response
  } catch (error) {
    throw new TypeError('fetch failed', { cause: error })
  }
}
