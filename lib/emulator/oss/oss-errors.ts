/**
 * OSS error codes the emulator answers with, their HTTP status and OSS's own message text
 * (help.alibabacloud.com/oss/support pages and "how to troubleshoot 403"; see the emulator README's
 * faithfulness table for which are confirmed).
 * @internal
 */
export const OSS_ERRORS = {
  AccessDenied: [403, 'You have no right to access this object because of bucket acl.'],
  AccessForbidden: [
    403,
    "CORSResponse: This CORS request is not allowed. This is usually because the evalution of Origin, request method / Access-Control-Request-Method or Access-Control-Requet-Headers are not whitelisted by the resource's CORS spec.",
  ],
  InvalidAccessKeyId: [403, 'The OSS Access Key Id you provided does not exist in our records.'],
  InvalidSecurityToken: [403, 'The security token you provided is invalid.'],
  SecurityTokenExpired: [403, 'The security token you provided has expired.'],
  AccessKeyIdAndSecurityTokenNotMatch: [
    403,
    'The OSS access key id and security token you provided does not match.',
  ],
  SignatureDoesNotMatch: [
    403,
    'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
  ],
  RequestTimeTooSkewed: [
    403,
    'The difference between the request time and the current time is too large.',
  ],
  InvalidArgument: [400, 'Invalid argument.'],
  InvalidRequest: [400, 'Invalid request.'],
  InvalidDigest: [400, 'The Content-MD5 you specified is not valid.'],
  InvalidObjectName: [400, 'The specified object is not valid.'],
  InvalidPart: [
    400,
    "One or more of the specified parts could not be found or the specified entity tag might not have matched the part's entity tag.",
  ],
  InvalidPartOrder: [
    400,
    'The list of parts was not in ascending order. Parts list must specified in order by part number.',
  ],
  EntityTooSmall: [400, 'Your proposed upload is smaller than the minimum allowed size.'],
  EntityTooLarge: [400, 'Your proposed upload exceeds the maximum allowed size.'],
  InvalidPolicyDocument: [400, 'Invalid Policy.'],
  MalformedXML: [
    400,
    'The XML you provided was not well-formed or did not validate against our published schema.',
  ],
  MalformedPOSTRequest: [
    400,
    'The body of your POST request is not well-formed multipart/form-data.',
  ],
  FileAlreadyExists: [409, 'The object you specified already exists and can not be overwritten.'],
  NoSuchBucket: [404, 'The specified bucket does not exist.'],
  NoSuchKey: [404, 'The specified key does not exist.'],
  NoSuchUpload: [
    404,
    'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.',
  ],
  MethodNotAllowed: [405, 'The specified method is not allowed against this resource.'],
  NotImplemented: [501, 'A header you provided implies functionality that is not implemented.'],
  InternalError: [500, 'We encountered an internal error. Please try again.'],
} as const satisfies Record<string, readonly [number, string]>

/** @internal */
export type OssErrorCode = keyof typeof OSS_ERRORS

/** Thrown inside the OSS emulator; rendered as OSS's XML error body. @internal */
export class OssEmulatorError extends Error {
  override readonly name = 'OssEmulatorError'
  readonly code: OssErrorCode
  /** Replaces the standard message where OSS says something more specific. */
  readonly detail: string | undefined

  constructor(code: OssErrorCode, detail?: string) {
    super(detail ?? OSS_ERRORS[code][1])
    this.code = code
    this.detail = detail
  }
}
