import { VendError, type UpstreamDetail, type VendErrorCode } from '../errors.ts'
import type { ServiceErrors } from '../openapi/call.ts'

/**
 * Alibaba STS error codes → credvend codes: the one place this mapping lives. Codes from
 * https://www.alibabacloud.com/help/en/ram/developer-reference/api-sts-2015-04-01-assumerole and
 * Alibaba's common gateway codes (https://error-center.alibabacloud.com/status/product/Public).
 * Source-credential problems (our own key, token, clock) are told apart from refusals of the
 * request itself, because operators fix them in different places.
 */
const BY_CODE: ReadonlyArray<readonly [RegExp, VendErrorCode]> = [
  [/^Throttling(\..*)?$/, 'ERR_STS_THROTTLED'],
  [/^(InternalError|ServiceUnavailable)(\..*)?$/, 'ERR_STS_UNAVAILABLE'],
  [
    /^(SignatureDoesNotMatch|IncompleteSignature|SignatureNonceUsed|InvalidTimeStamp\..*|InvalidAccessKeyId(\..*)?|Forbidden\.AccessKeyDisabled|InvalidSecurityToken\..*|MissingSecurityToken|AuthenticationFail\..*)$/,
    'ERR_STS_SOURCE_CREDENTIALS',
  ],
  [/^(NoPermission|EntityNotExist\.Role|Forbidden(\..*)?)$/, 'ERR_STS_DENIED'],
]

const MESSAGES: Readonly<Partial<Record<VendErrorCode, string>>> = {
  ERR_STS_THROTTLED: 'STS is throttling calls',
  ERR_STS_UNAVAILABLE: 'STS is unavailable',
  ERR_STS_SOURCE_CREDENTIALS: "STS refused credvend's own credentials",
  ERR_STS_DENIED: 'STS denied the role to credvend',
  ERR_STS_REJECTED: 'STS rejected the request',
}

/** @internal */
const stsErrorCode = (detail: UpstreamDetail): VendErrorCode => {
  const code = detail.code ?? ''
  for (const [pattern, ours] of BY_CODE) if (pattern.test(code)) return ours
  return (detail.httpStatus ?? 0) >= 500 ? 'ERR_STS_UNAVAILABLE' : 'ERR_STS_REJECTED'
}

/** @internal */
export const stsErrors: ServiceErrors = {
  service: 'sts',
  fromAlibaba: (detail, retryAfterSeconds) => {
    const code = retryAfterSeconds === undefined ? stsErrorCode(detail) : 'ERR_STS_THROTTLED'
    const retryable = code === 'ERR_STS_THROTTLED' || code === 'ERR_STS_UNAVAILABLE'
    // The upstream code and request id travel in `upstream`, for logs; the message stays fixed.
    return new VendError(code, MESSAGES[code] ?? 'STS call failed', {
      upstream: detail,
      retryable,
      ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }),
    })
  },
  timeout: (operation) =>
    new VendError('ERR_STS_TIMEOUT', `STS ${operation} timed out`, { retryable: true }),
  network: (operation, cause) =>
    new VendError('ERR_STS_UNAVAILABLE', `STS ${operation} failed: network error`, {
      retryable: true,
      cause: cause instanceof Error ? new Error(cause.name) : undefined,
    }),
  badResponse: (operation, detail) =>
    new VendError('ERR_STS_BAD_RESPONSE', `STS ${operation} returned an unexpected reply`, {
      upstream: detail,
    }),
}
