import type { VendError, UpstreamDetail } from '../errors.ts'
import { alibabaErrorBody } from './error-body.ts'
import type { BuiltRequest } from './signed-request.ts'

/** How one service turns Alibaba's answer into a VendError. @internal */
export interface ServiceErrors {
  readonly service: UpstreamDetail['service']
  /** Alibaba error code + HTTP status → credvend error. */
  readonly fromAlibaba: (detail: UpstreamDetail, retryAfterSeconds: number | undefined) => VendError
  readonly timeout: (operation: string) => VendError
  readonly network: (operation: string, cause: unknown) => VendError
  readonly badResponse: (operation: string, detail: UpstreamDetail) => VendError
}

/**
 * What reads a success reply: a zod schema, or a hand-written check in front of one (an STS
 * reply is read on every cache miss).
 * @internal
 */
export interface ReplyParser<T> {
  safeParse(
    body: unknown,
  ): { readonly success: true; readonly data: T } | { readonly success: false }
}

const parseJson = (text: string): unknown => {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

/** darabonba's rule: a positive integer `x-acs-retry-after` means "throttled, wait this long". */
const retryAfter = (headers: Headers): number | undefined => {
  const value = Number(headers.get('x-acs-retry-after'))
  return Number.isInteger(value) && value > 0 ? value : undefined
}

/**
 * Sends a built request with a timeout and no redirects, then parses the answer once: the
 * success schema on 2xx, Alibaba's error body otherwise. Errors carry the upstream code and
 * request id only.
 * @internal
 */
export const callOpenApi = async <T>(
  fetchFn: typeof fetch,
  request: BuiltRequest,
  options: { operation: string; timeoutMs: number; schema: ReplyParser<T>; errors: ServiceErrors },
): Promise<T> => {
  const { operation, errors } = options
  // One timer for the whole exchange, cleared when it ends: AbortSignal.timeout costs several
  // times more per call on Node and lingers until it fires.
  const controller = new AbortController()
  const timer = setTimeout(
    () => controller.abort(new DOMException('the call timed out', 'TimeoutError')),
    options.timeoutMs,
  )
  const failed = (error: unknown) =>
    error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')
      ? errors.timeout(operation)
      : errors.network(operation, error)
  let response: Response
  let text: string
  try {
    response = await fetchFn(request.url, {
      ...request.init,
      redirect: 'manual',
      signal: controller.signal,
    }).catch((error: unknown) => {
      throw failed(error)
    })
    text = await response.text().catch((error: unknown) => {
      throw failed(error)
    })
  } finally {
    clearTimeout(timer)
  }
  const body = parseJson(text)
  if (response.status >= 200 && response.status < 300) {
    const parsed = options.schema.safeParse(body)
    if (parsed.success) return parsed.data
    throw errors.badResponse(operation, { service: errors.service, httpStatus: response.status })
  }
  const failure = alibabaErrorBody.safeParse(body)
  const serverTimeMs =
    failure.success && failure.data.code.startsWith('InvalidTimeStamp.')
      ? Date.parse(response.headers.get('date') ?? '')
      : Number.NaN
  const detail: UpstreamDetail = {
    service: errors.service,
    httpStatus: response.status,
    ...(failure.success ? { code: failure.data.code } : {}),
    ...(failure.success && failure.data.requestId ? { requestId: failure.data.requestId } : {}),
    ...(Number.isFinite(serverTimeMs) ? { serverTimeMs } : {}),
  }
  throw errors.fromAlibaba(detail, retryAfter(response.headers))
}
