import { extractBody, LightBody, type Extracted, type LightBodyInit } from './light-body.ts'
import { LightHeaders } from './light-headers.ts'

const TOKEN = /^[!#$%&'*+\-.^`|~0-9A-Za-z]+$/
/** Methods fetch normalizes to upper case (https://fetch.spec.whatwg.org/#concept-method-normalize). */
const NORMALIZED = new Set(['DELETE', 'GET', 'HEAD', 'OPTIONS', 'POST', 'PUT'])
const FORBIDDEN = new Set(['CONNECT', 'TRACE', 'TRACK'])

const checkedMethod = (method: string): string => {
  const text = String(method)
  if (!TOKEN.test(text)) throw new TypeError(`'${text}' is not a valid HTTP method.`)
  const upper = text.toUpperCase()
  if (FORBIDDEN.has(upper)) throw new TypeError(`'${text}' HTTP method is unsupported.`)
  return NORMALIZED.has(upper) ? upper : text
}

interface LightRequestInit {
  readonly method?: string
  readonly headers?: ConstructorParameters<typeof LightHeaders>[0]
  readonly body?: LightBodyInit | null
  readonly signal?: AbortSignal | null
  readonly redirect?: RequestRedirect
  readonly duplex?: 'half'
}

/**
 * The Fetch standard's `Request`, small (see light-headers.ts for where and why): the
 * URL, method, headers, body, signal and redirect mode the adapter and Hono use, built and checked
 * as https://fetch.spec.whatwg.org/#request-class says. Mode, credentials, cache and the other
 * browser-only members are absent.
 */
export class LightRequest extends LightBody {
  readonly url: string
  readonly method: string
  readonly headers: LightHeaders
  readonly signal: AbortSignal
  readonly redirect: RequestRedirect

  constructor(input: string | URL | LightRequest, init: LightRequestInit = {}) {
    const source = input instanceof LightRequest ? input : undefined
    const parsed = source ? undefined : new URL(String(input))
    if (parsed && (parsed.username || parsed.password)) {
      throw new TypeError('Request cannot be constructed from a URL that includes credentials')
    }
    const url = source ? source.url : parsed!.href
    const method =
      init.method !== undefined ? checkedMethod(init.method) : (source?.method ?? 'GET')
    const headers = new LightHeaders(init.headers ?? source?.headers)
    const given = init.body !== undefined && init.body !== null
    if (
      (given || (init.body === undefined && source?.hasBody)) &&
      (method === 'GET' || method === 'HEAD')
    ) {
      throw new TypeError('Request with GET/HEAD method cannot have body.')
    }
    let extracted: Extracted
    if (given) {
      extracted = extractBody(init.body)
      if (extracted.type !== null && !headers.has('content-type')) {
        headers.set('content-type', extracted.type)
      }
    } else if (init.body === undefined && source) {
      extracted = source.takeBody()
    } else {
      extracted = extractBody(null)
    }
    super(extracted)
    this.url = url
    this.method = method
    this.headers = headers
    this.signal = init.signal ?? source?.signal ?? new AbortController().signal
    this.redirect = init.redirect ?? source?.redirect ?? 'follow'
  }

  clone(): LightRequest {
    const copy = new LightRequest(this.url, {
      method: this.method,
      headers: this.headers,
      signal: this.signal,
      redirect: this.redirect,
    })
    copy.adoptBody(this.cloneBody())
    return copy
  }

  get [Symbol.toStringTag]() {
    return 'Request'
  }
}
