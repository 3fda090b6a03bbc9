import * as z from '../zod.ts'
import { timestampSchema } from '../signing/timestamp-schema.ts'

/**
 * `acs:ram::<account>:role/<name>`
 * (https://www.alibabacloud.com/help/en/ram/developer-reference/api-sts-2015-04-01-assumerole).
 * @public
 */
export const ROLE_ARN = /^acs:ram::(\d{1,32}):role\/([A-Za-z0-9._@-]{1,64})$/
/** 2–64 of letters, digits and `. @ - _` (current doc; credvend itself emits ≤ 32). @public */
export const ROLE_SESSION_NAME = /^[A-Za-z0-9.@_-]{2,64}$/
/** 2–1,224 of letters, digits and `= , . @ : / - _` (and `+`, per the doc's regex). @public */
export const EXTERNAL_ID = /^[\w+=,.@:/-]{2,1224}$/
/** 2–64 of `[\w+=,.@-]`, not starting with a reserved prefix. @public */
export const SOURCE_IDENTITY = /^(?!acs:|aliyun:|alibabacloud:)[\w+=,.@-]{2,64}$/

/** AssumeRole input, with STS's own limits encoded so a bad call never leaves the process. @public */
export const assumeRoleInput = z.strictObject({
  roleArn: z.string().check(z.regex(ROLE_ARN, 'not a RAM role ARN')),
  roleSessionName: z.string().check(z.regex(ROLE_SESSION_NAME, '2–64 of [A-Za-z0-9.@_-]')),
  durationSeconds: z.optional(z.number().check(z.int(), z.minimum(900))),
  policy: z.optional(z.string().check(z.minLength(1), z.maxLength(2048))),
  externalId: z.optional(z.string().check(z.regex(EXTERNAL_ID, 'malformed ExternalId'))),
  sourceIdentity: z.optional(
    z.string().check(z.regex(SOURCE_IDENTITY, 'malformed SourceIdentity')),
  ),
})
/** @public */
export type AssumeRoleInput = z.input<typeof assumeRoleInput>

/**
 * AssumeRoleWithOIDC input, limits as in aliyun/alibabacloud-typescript-sdk
 * `sts-20150401/src/models/AssumeRoleWithOidcrequest.ts`.
 * @public
 */
export const assumeRoleWithOidcInput = z.strictObject({
  roleArn: z.string().check(z.regex(ROLE_ARN, 'not a RAM role ARN')),
  oidcProviderArn: z
    .string()
    .check(z.regex(/^acs:ram::\d{1,32}:oidc-provider\/[A-Za-z0-9._-]{1,128}$/)),
  oidcToken: z.string().check(z.minLength(4), z.maxLength(20_000)),
  roleSessionName: z.string().check(z.regex(ROLE_SESSION_NAME, '2–64 of [A-Za-z0-9.@_-]')),
  durationSeconds: z.optional(z.number().check(z.int(), z.minimum(900))),
  policy: z.optional(z.string().check(z.minLength(1), z.maxLength(2048))),
})
/** @public */
export type AssumeRoleWithOidcInput = z.input<typeof assumeRoleWithOidcInput>

const expiration = timestampSchema('Expiration is not YYYY-MM-DDThh:mm:ssZ')

const credentialsBlock = z.pipe(
  z.looseObject({
    AccessKeyId: z.string().check(z.minLength(1)),
    AccessKeySecret: z.string().check(z.minLength(1)),
    SecurityToken: z.string().check(z.minLength(1)),
    Expiration: expiration,
  }),
  z.transform((c) => ({
    accessKeyId: c.AccessKeyId,
    accessKeySecret: c.AccessKeySecret,
    securityToken: c.SecurityToken,
    expiration: c.Expiration,
  })),
)

/** AssumeRole and AssumeRoleWithOIDC share this reply; mapped to camelCase in one place. @internal */
export const assumeRoleReply = z.pipe(
  z.looseObject({
    RequestId: z.string(),
    AssumedRoleUser: z.looseObject({ AssumedRoleId: z.string(), Arn: z.string() }),
    Credentials: credentialsBlock,
    SourceIdentity: z.optional(z.string()),
  }),
  z.transform((r) => ({
    requestId: r.RequestId,
    assumedRoleUser: { arn: r.AssumedRoleUser.Arn, assumedRoleId: r.AssumedRoleUser.AssumedRoleId },
    credentials: r.Credentials,
    ...(r.SourceIdentity === undefined ? {} : { sourceIdentity: r.SourceIdentity }),
  })),
)
/** @public */
export type AssumeRoleResult = z.output<typeof assumeRoleReply>

/**
 * GetCallerIdentity reply, fields as in aliyun/alibabacloud-typescript-sdk
 * `sts-20150401/src/models/GetCallerIdentityResponseBody.ts`.
 * @internal
 */
export const callerIdentityReply = z.pipe(
  z.looseObject({
    RequestId: z.string(),
    AccountId: z.string(),
    Arn: z.string(),
    IdentityType: z.string(),
    PrincipalId: z.optional(z.string()),
    UserId: z.optional(z.string()),
    RoleId: z.optional(z.string()),
  }),
  z.transform((r) => ({
    requestId: r.RequestId,
    accountId: r.AccountId,
    arn: r.Arn,
    identityType: r.IdentityType,
    principalId: r.PrincipalId,
    userId: r.UserId,
    roleId: r.RoleId,
  })),
)
/** @public */
export type CallerIdentity = z.output<typeof callerIdentityReply>
