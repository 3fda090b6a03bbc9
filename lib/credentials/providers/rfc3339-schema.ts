import * as z from '../../zod.ts'

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/

/**
 * An RFC 3339 time read into a Date: the CloudSSO portal and the OAuth exchange send expirations
 * this way, and the aliyun CLI reads them with Go's `time.RFC3339` (aliyun/aliyun-cli
 * cloudsso/refresh.go, config/configure.go).
 * @internal
 */
export const rfc3339Schema = z.pipe(
  z.string(),
  z.transform((value: string, ctx) => {
    const ms = RFC3339.test(value) ? Date.parse(value) : Number.NaN
    if (Number.isNaN(ms)) {
      ctx.issues.push({ code: 'custom', message: 'not an RFC 3339 time', input: value })
      return z.NEVER
    }
    return new Date(ms)
  }),
)
