/**
 * The FC 3.0 HTTP-trigger event and response
 * (https://help.aliyun.com/zh/functioncompute/fc-3-0/user-guide/http-trigger-invoking-function).
 * Our own adapter: the Hono npm release has none for FC 3.0.
 */
export interface Fc3HttpEvent {
  readonly version?: string
  readonly rawPath: string
  readonly body?: string
  readonly isBase64Encoded?: boolean
  readonly headers?: Readonly<Record<string, string>>
  readonly queryParameters?: Readonly<Record<string, string>>
  readonly requestContext: {
    readonly domainName?: string
    readonly requestId?: string
    readonly http: { readonly method: string; readonly path?: string; readonly sourceIp?: string }
  }
}

/** The handler's return value FC turns into an HTTP response. */
export interface Fc3HttpResponse {
  readonly statusCode: number
  readonly headers: Record<string, string>
  readonly isBase64Encoded: boolean
  readonly body: string
}

/** The event arrives as a Buffer holding JSON (or, in tests and some runtimes, already parsed). */
export const decodeEvent = (event: unknown): unknown =>
  typeof event === 'string'
    ? JSON.parse(event)
    : event instanceof Uint8Array
      ? JSON.parse(Buffer.from(event).toString('utf8'))
      : event

/** An HTTP-trigger event, or a TypeError for anything else. */
export const parseEvent = (value: unknown): Fc3HttpEvent => {
  if (
    typeof value !== 'object' ||
    value === null ||
    typeof (value as Fc3HttpEvent).rawPath !== 'string' ||
    !(value as Fc3HttpEvent).requestContext?.http?.method
  ) {
    throw new TypeError('not an FC 3.0 HTTP-trigger event')
  }
  return value as Fc3HttpEvent
}

/**
 * A timer trigger's event: `{"triggerTime", "triggerName", "payload"}`
 * (https://www.alibabacloud.com/help/en/fc/formats-of-event-for-different-triggers).
 */
export const isTimerEvent = (
  value: unknown,
): value is { readonly triggerTime: string; readonly triggerName: string } =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as { triggerTime?: unknown }).triggerTime === 'string' &&
  typeof (value as { triggerName?: unknown }).triggerName === 'string' &&
  !('rawPath' in value)

/**
 * Event → Request. Header names arrive in any case (Headers folds them); multi-valued headers and
 * query parameters arrive comma-joined and are passed on as one value each, as HTTP itself would
 * combine them. A base64 body is decoded to bytes.
 */
export const eventToRequest = (event: Fc3HttpEvent): Request => {
  const method = event.requestContext.http.method.toUpperCase()
  // The app never routes on the host; a placeholder domain (as in FC's docs) must not break the URL.
  const domain = event.requestContext.domainName ?? ''
  const host = /^[A-Za-z0-9.-]+$/.test(domain) ? domain : 'fc.invalid'
  const url = new URL(`https://${host}${event.rawPath.startsWith('/') ? '' : '/'}${event.rawPath}`)
  for (const [name, value] of Object.entries(event.queryParameters ?? {}))
    url.searchParams.append(name, value)
  const headers = new Headers()
  for (const [name, value] of Object.entries(event.headers ?? {})) headers.append(name, value)
  const hasBody =
    method !== 'GET' && method !== 'HEAD' && event.body !== undefined && event.body !== ''
  const body = hasBody
    ? event.isBase64Encoded
      ? Buffer.from(event.body!, 'base64')
      : event.body!
    : undefined
  return new Request(url, { method, headers, ...(body === undefined ? {} : { body }) })
}

const TEXTUAL = /^(text\/|application\/(json|problem\+json|javascript|xml)|.*\+json)/i

/** Response → FC result: text bodies as text, anything else base64. */
export const responseToResult = async (response: Response): Promise<Fc3HttpResponse> => {
  const headers: Record<string, string> = {}
  response.headers.forEach((value, name) => {
    headers[name] = value
  })
  const textual = TEXTUAL.test(response.headers.get('content-type') ?? 'text/plain')
  const bytes = Buffer.from(await response.arrayBuffer())
  return {
    statusCode: response.status,
    headers,
    isBase64Encoded: !textual,
    body: textual ? bytes.toString('utf8') : bytes.toString('base64'),
  }
}
