import { z } from 'zod'

const timestamp = z.string().regex(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/)

/**
 * The 200 body of a vend: a superset of the credentials-URI format the official tools parse
 * (PRODUCT.md §4.1). Used for the OpenAPI document; the route builds exactly these fields.
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
  PolicySha256: z.string().regex(/^[0-9a-f]{64}$/).optional(),
})

/** Every error body (PRODUCT.md §4.2). @public */
export const errorResponse = z.object({ Code: z.string(), Message: z.string(), RequestId: z.string() })
