import * as z from '../zod.ts'

const timestamp = z.string().check(z.regex(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/))

/**
 * The 200 body of a vend: a superset of the credentials-URI format the official tools parse
 * Used for the OpenAPI document; the route builds exactly these fields.
 * @public
 */
export const vendResponse = z.object({
  Code: z.literal('Success'),
  AccessKeyId: z.string(),
  AccessKeySecret: z.string(),
  SecurityToken: z.string(),
  Expiration: timestamp,
  ServerTime: timestamp,
  RefreshAfter: timestamp,
  RoleSessionName: z.string(),
  PolicySha256: z.optional(z.string().check(z.regex(/^[0-9a-f]{64}$/))),
})

/** What an `oss-upload` profile adds: where to upload. @public */
export const uploadFields = z.object({
  Bucket: z.string(),
  Region: z.string().check(z.regex(/^oss-/)),
  Endpoint: z.url(),
  Prefix: z.string(),
})

/** The `form: true` answer: a signed PostObject form, and no AccessKeySecret. @public */
export const postObjectResponse = z.extend(
  z.extend(
    z.omit(vendResponse, { AccessKeyId: true, AccessKeySecret: true, SecurityToken: true }),
    uploadFields.shape,
  ),
  {
    PostObject: z.object({
      Url: z.url(),
      Fields: z.record(z.string(), z.string()),
      KeyPrefix: z.string(),
      MinSizeBytes: z.number().check(z.int()),
      MaxSizeBytes: z.number().check(z.int()),
      ContentTypes: z.optional(z.array(z.string())),
      ContentTypeField: z.optional(z.literal('x-oss-content-type')).register(z.globalRegistry, {
        description: 'Present with ContentTypes: the form field that must carry one of them',
      }),
      Expiration: timestamp,
    }),
  },
)

/** Every error body. @public */
export const errorResponse = z.object({
  Code: z.string(),
  Message: z.string(),
  RequestId: z.string(),
})
