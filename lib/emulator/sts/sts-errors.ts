/**
 * The errors the STS emulator answers with: Alibaba's codes, and verbatim messages where the
 * AssumeRole doc lists them
 * (https://www.alibabacloud.com/help/en/ram/developer-reference/api-sts-2015-04-01-assumerole).
 * `confirmed` says whether the HTTP status comes from a source; the
 * emulator README's faithfulness table lists the rest as assumed.
 */
export const STS_ERRORS = {
  'InvalidParameter.DurationSeconds': {
    status: 400,
    message: 'The Min/Max value of DurationSeconds is 15min/1hr.',
    confirmed: true,
  },
  'InvalidParameter.ExternalId': {
    status: 400,
    message: 'The parameter ExternalId is wrongly formed.',
    confirmed: true,
  },
  'InvalidParameter.RoleArn': {
    status: 400,
    message: 'The parameter RoleArn is wrongly formed.',
    confirmed: true,
  },
  'InvalidParameter.RoleSessionName': {
    status: 400,
    message: 'The parameter RoleSessionName is wrongly formed.',
    confirmed: true,
  },
  'InvalidParameter.SourceIdentity': {
    status: 400,
    message: 'The parameter SourceIdentity is wrongly formed.',
    confirmed: false,
  },
  'InvalidParameter.PolicyGrammar': {
    status: 400,
    message: 'The parameter Policy has not passed grammar check.',
    confirmed: true,
  },
  'InvalidParameter.PolicySize': {
    status: 400,
    message: 'The size of Policy must be smaller than 2048 bytes.',
    confirmed: true,
  },
  'InvalidParameter.ContentType': {
    status: 400,
    message:
      'The ContentType request header must be either "application/json" or "application/x-www-form-urlencoded".',
    confirmed: true,
  },
  'InvalidParameter.OIDCToken': {
    status: 400,
    message: 'The parameter OIDCToken is invalid.',
    confirmed: false,
  },
  MissingParameter: { status: 400, message: 'A required parameter is missing.', confirmed: false },
  NoPermission: {
    status: 403,
    message: 'You are not authorized to do this action. You should be authorized by RAM.',
    confirmed: true,
  },
  'EntityNotExist.Role': {
    status: 404,
    message: 'The specified Role not exists .',
    confirmed: true,
  },
  'EntityNotExist.OIDCProvider': {
    status: 404,
    message: 'The specified OIDC provider does not exist.',
    confirmed: false,
  },
  'AuthenticationFail.OIDCToken': {
    status: 403,
    message: 'The OIDC token failed verification.',
    confirmed: false,
  },
  SignatureDoesNotMatch: {
    status: 400,
    message: 'Specified signature is not matched with our calculation.',
    confirmed: false,
  },
  IncompleteSignature: {
    status: 400,
    message: 'The request signature does not conform to Aliyun standards.',
    confirmed: false,
  },
  SignatureNonceUsed: {
    status: 400,
    message: 'Specified signature nonce was used already.',
    confirmed: false,
  },
  'InvalidTimeStamp.Format': {
    status: 400,
    message: 'Specified time stamp or date value is not well formatted.',
    confirmed: false,
  },
  'InvalidTimeStamp.Expired': {
    status: 400,
    message: 'Specified time stamp or date value is expired.',
    confirmed: false,
  },
  'InvalidAccessKeyId.NotFound': {
    status: 404,
    message: 'Specified access key is not found.',
    confirmed: true,
  },
  MissingSecurityToken: {
    status: 400,
    message: 'SecurityToken is mandatory for this action.',
    confirmed: false,
  },
  'InvalidSecurityToken.Expired': {
    status: 400,
    message: 'Specified SecurityToken is expired.',
    confirmed: false,
  },
  'InvalidSecurityToken.Malformed': {
    status: 400,
    message: 'Specified SecurityToken is malformed.',
    confirmed: false,
  },
  'InvalidSecurityToken.MismatchWithAccessKey': {
    status: 400,
    message: 'Specified SecurityToken mismatch with the AccessKey.',
    confirmed: false,
  },
  'InvalidApi.NotFound': {
    status: 404,
    message: 'Specified api is not found, please check your url and method.',
    confirmed: false,
  },
  InvalidVersion: {
    status: 400,
    message: 'Specified parameter Version is not valid.',
    confirmed: false,
  },
  InternalError: {
    status: 500,
    message: 'STS Server Internal Error happened, please send the RequestId to us.',
    confirmed: true,
  },
} as const satisfies Record<string, { status: number; message: string; confirmed: boolean }>

/** @internal */
export type StsErrorCode = keyof typeof STS_ERRORS

/** Thrown inside the emulator's handlers; turned into Alibaba's error body at the edge. @internal */
export class StsEmulatorError extends Error {
  override readonly name = 'StsEmulatorError'
  readonly code: StsErrorCode
  /** Extra text appended to the verbatim message (e.g. the server's string to sign). */
  readonly detail: string | undefined

  constructor(code: StsErrorCode, detail?: string) {
    super(code)
    this.code = code
    this.detail = detail
  }
}

/** @internal */
export const fail = (code: StsErrorCode, detail?: string): never => {
  throw new StsEmulatorError(code, detail)
}
