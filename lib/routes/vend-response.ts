import * as z from 'zod'

const timestamp = z.string().regex(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/)

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
  PolicySha256: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .optional(),
})

/** What an `oss-upload` profile adds: where to upload. @public */
export const uploadFields = z.object({
  Bucket: z.string(),
  Region: z.string().regex(/^oss-/),
  Endpoint: z.url(),
  Prefix: z.string(),
})

/** The `form: true` answer: a signed PostObject form, and no AccessKeySecret. @public */
export const postObjectResponse = vendResponse
  .omit({ AccessKeyId: true, AccessKeySecret: true, SecurityToken: true })
  .extend(uploadFields.shape)
  .extend({
    PostObject: z.object({
      Url: z.url(),
      Fields: z.record(z.string(), z.string()),
      KeyPrefix: z.string(),
      MinSizeBytes: z.number().int(),
      MaxSizeBytes: z.number().int(),
      ContentTypes: z.array(z.string()).optional(),
      ContentTypeField: z
        .literal('x-oss-content-type')
        .optional()
        .describe('Present with ContentTypes: the form field that must carry one of them'),
      Expiration: timestamp,
    }),
  })

/** Every error body. @public */
export const errorResponse = z.object({
  Code: z.string(),
  Message: z.string(),
  RequestId: z.string(),
})
