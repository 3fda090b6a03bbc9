import { extractBody, LightBody, type LightBodyInit } from './light-body.ts'
import { LightHeaders } from './light-headers.ts'

/** Statuses whose response has no body (https://fetch.spec.whatwg.org/#null-body-status). */
const NULL_BODY = new Set([101, 103, 204, 205, 304])
const REDIRECT = new Set([301, 302, 303, 307, 308])
/** RFC 9110 reason-phrase: tab, space, visible ASCII and obs-text. */
const REASON = /^[\t\x20-\x7e\x80-\xff]*$/

interface LightResponseInit {
  readonly status?: number
  readonly statusText?: string
  readonly headers?: ConstructorParameters<typeof LightHeaders>[0]
}

/**
 * The Fetch standard's `Response`, small (see light-headers.ts for where and why):
 * status, status text, headers and a body read once, checked as
 * https://fetch.spec.whatwg.org/#response-class says, with `json`, `redirect` and `error`.
 */
export class LightResponse extends LightBody {
  readonly status: number
  readonly statusText: string
  readonly headers: LightHeaders
  readonly type: ResponseType
  readonly url = ''
  readonly redirected = false

  constructor(body?: LightBodyInit | null, init: LightResponseInit = {}) {
    const status = init.status ?? 200
    if (!Number.isInteger(status) || status < 200 || status > 599) {
      throw new RangeError(`init["status"] must be in the range of 200 to 599, inclusive.`)
    }
    const statusText = init.statusText ?? ''
    if (!REASON.test(statusText)) throw new TypeError('Invalid statusText')
    const headers = new LightHeaders(init.headers)
    const extracted = extractBody(body)
    if ((extracted.bytes !== null || extracted.stream !== null) && NULL_BODY.has(status)) {
      throw new TypeError('Response constructor: Invalid response status code ' + status)
    }
    if (extracted.type !== null && !headers.has('content-type')) {
      headers.set('content-type', extracted.type)
    }
    super(extracted)
    this.status = status
    this.statusText = statusText
    this.headers = headers
    this.type = 'default'
  }

  get ok(): boolean {
    return this.status >= 200 && this.status <= 299
  }

  clone(): LightResponse {
    const copy = new LightResponse(null, {
      status: this.status,
      statusText: this.statusText,
      headers: this.headers,
    })
    copy.adoptBody(this.cloneBody())
    return copy
  }

  static json(data: unknown, init: LightResponseInit = {}): LightResponse {
    const text = JSON.stringify(data)
    if (text === undefined) throw new TypeError('Value is not JSON serializable')
    const headers = new LightHeaders(init.headers)
    if (!headers.has('content-type')) headers.set('content-type', 'application/json')
    return new LightResponse(text, { ...init, headers })
  }

  static redirect(url: string | URL, status = 302): LightResponse {
    if (!REDIRECT.has(status)) throw new RangeError(`Invalid status code ${status}`)
    return new LightResponse(null, { status, headers: { location: new URL(String(url)).href } })
  }

  static error(): LightResponse {
    const response = new LightResponse(null, { status: 200 })
    Object.defineProperty(response, 'status', { value: 0 })
    Object.defineProperty(response, 'type', { value: 'error' })
    return response
  }

  get [Symbol.toStringTag]() {
    return 'Response'
  }
}
