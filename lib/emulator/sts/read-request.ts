import { fail } from './sts-errors.ts'

/** An incoming OpenAPI request, decoded once. @internal */
export interface IncomingCall {
  readonly method: string
  readonly url: URL
  readonly headers: Headers
  readonly body: string
  /** Query parameters, decoded (the SDK leaves `*!'()` raw; decoding then re-encoding copes). */
  readonly query: Readonly<Record<string, string>>
  /** Query and form-body parameters merged: what an RPC signature covers. */
  readonly params: Readonly<Record<string, string>>
}

const FORM = 'application/x-www-form-urlencoded'

const fromSearch = (search: URLSearchParams): Record<string, string> => {
  const out: Record<string, string> = {}
  for (const [k, v] of search) out[k] = v
  return out
}

const bodyParams = (contentType: string, body: string): Record<string, string> => {
  if (body === '') return {}
  const type = contentType.split(';')[0]!.trim().toLowerCase()
  if (type === FORM) return fromSearch(new URLSearchParams(body))
  if (type === 'application/json') {
    let value: unknown
    try {
      value = JSON.parse(body)
    } catch {
      return fail('InvalidParameter.ContentType')
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      return fail('InvalidParameter.ContentType')
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]),
    )
  }
  return fail('InvalidParameter.ContentType')
}

/** Reads method, URL, headers and body; merges query and body parameters. @internal */
export const readRequest = async (request: Request): Promise<IncomingCall> => {
  const url = new URL(request.url)
  const body = request.method === 'GET' || request.method === 'HEAD' ? '' : await request.text()
  const query = fromSearch(url.searchParams)
  const form = bodyParams(request.headers.get('content-type') ?? '', body)
  return {
    method: request.method,
    url,
    headers: request.headers,
    body,
    query,
    params: { ...query, ...form },
  }
}
