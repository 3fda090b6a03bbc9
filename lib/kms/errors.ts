import { VendError, type UpstreamDetail, type VendErrorCode } from '../errors.ts'
import type { ServiceErrors } from '../openapi/call.ts'

/**
 * KMS error codes → credvend codes: the one place this mapping lives. The retryable codes are
 * those the official cache client retries (aliyun/alibabacloud-secretsmanager-client-java,
 * `BackoffUtils.judgeNeedRecoveryException`); the rest are Alibaba's common gateway codes
 * (https://error-center.alibabacloud.com/status/product/Public).
 */
const BY_CODE: ReadonlyArray<readonly [RegExp, VendErrorCode]> = [
  [
    /^(Rejected\.Throttling|Throttling(\..*)?|ServiceUnavailableTemporary|InternalFailure|InternalError|ServiceUnavailable)$/,
    'ERR_KMS_UNAVAILABLE',
  ],
  [
    /^(SignatureDoesNotMatch|IncompleteSignature|SignatureNonceUsed|InvalidTimeStamp\..*|InvalidAccessKeyId(\..*)?|InvalidSecurityToken\..*|MissingSecurityToken)$/,
    'ERR_KMS_SOURCE_CREDENTIALS',
  ],
  // Not found is a request problem (a wrong name), not a permission one.
  [/^(Forbidden\.ResourceNotFound|EntityNotExist(\..*)?)$/, 'ERR_KMS_REJECTED'],
  [/^(Forbidden(\..*)?|NoPermission|AccessDenied(Error)?)$/, 'ERR_KMS_DENIED'],
]

const MESSAGES: Readonly<Partial<Record<VendErrorCode, string>>> = {
  ERR_KMS_UNAVAILABLE: 'KMS is unavailable',
  ERR_KMS_SOURCE_CREDENTIALS: "KMS refused credvend's own credentials",
  ERR_KMS_DENIED: 'KMS denied the secret to credvend',
  ERR_KMS_REJECTED: 'KMS rejected the request',
}

const kmsErrorCode = (detail: UpstreamDetail): VendErrorCode => {
  for (const [pattern, ours] of BY_CODE) if (pattern.test(detail.code ?? '')) return ours
  return (detail.httpStatus ?? 0) >= 500 ? 'ERR_KMS_UNAVAILABLE' : 'ERR_KMS_REJECTED'
}

/** @internal */
export const kmsErrors: ServiceErrors = {
  service: 'kms',
  fromAlibaba: (detail) => {
    const code = kmsErrorCode(detail)
    return new VendError(code, MESSAGES[code] ?? 'KMS call failed', {
      upstream: detail,
      retryable: code === 'ERR_KMS_UNAVAILABLE',
    })
  },
  timeout: (operation) =>
    new VendError('ERR_KMS_TIMEOUT', `KMS ${operation} timed out`, { retryable: true }),
  network: (operation, cause) =>
    new VendError('ERR_KMS_UNAVAILABLE', `KMS ${operation} failed: network error`, {
      retryable: true,
      cause: cause instanceof Error ? new Error(cause.name) : undefined,
    }),
  badResponse: (operation, detail) =>
    new VendError('ERR_KMS_BAD_RESPONSE', `KMS ${operation} returned an unexpected reply`, {
      upstream: detail,
    }),
}
