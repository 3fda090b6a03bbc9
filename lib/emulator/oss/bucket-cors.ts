import { OssEmulatorError } from './oss-errors.ts'
import type { Bucket, CorsRule } from './oss-store.ts'

const wildcard = (pattern: string, value: string) =>
  pattern === '*' ||
  new RegExp(
    `^${pattern
      .split('*')
      .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
    'i',
  ).test(value)

const ruleFor = (
  bucket: Bucket,
  origin: string,
  method: string,
  requestHeaders: readonly string[],
): CorsRule | undefined =>
  bucket.cors.find(
    (r) =>
      r.allowedOrigins.some((o) => wildcard(o, origin)) &&
      r.allowedMethods.includes(method) &&
      requestHeaders.every((h) => r.allowedHeaders.some((a) => wildcard(a, h))),
  )

/** `OPTIONS` on any bucket URL: the bucket's CORS rules decide; no match is AccessForbidden. @internal */
export const corsPreflight = (
  bucket: Bucket,
  headers: Readonly<Record<string, string>>,
): Response => {
  const origin = headers.origin
  const method = headers['access-control-request-method']
  const requested = (headers['access-control-request-headers'] ?? '')
    .split(',')
    .map((h) => h.trim().toLowerCase())
    .filter(Boolean)
  const rule = origin && method ? ruleFor(bucket, origin, method, requested) : undefined
  if (!rule) throw new OssEmulatorError('AccessForbidden')
  return new Response(null, {
    status: 200,
    headers: {
      'Access-Control-Allow-Origin': origin!,
      'Access-Control-Allow-Methods': rule.allowedMethods.join(', '),
      ...(requested.length > 0 ? { 'Access-Control-Allow-Headers': requested.join(', ') } : {}),
      'Access-Control-Expose-Headers': rule.exposeHeaders.join(', '),
      'Access-Control-Max-Age': String(rule.maxAgeSeconds),
      Vary: 'Origin, Access-Control-Request-Headers, Access-Control-Request-Method',
    },
  })
}

/** CORS headers on an actual response (errors included) when a rule matches the origin and method. @internal */
export const corsResponseHeaders = (
  bucket: Bucket | undefined,
  origin: string | undefined,
  method: string,
): Record<string, string> => {
  const rule = bucket && origin ? ruleFor(bucket, origin, method, []) : undefined
  if (!rule) return {}
  return {
    'Access-Control-Allow-Origin': origin!,
    'Access-Control-Expose-Headers': rule.exposeHeaders.join(', '),
    Vary: 'Origin',
  }
}
