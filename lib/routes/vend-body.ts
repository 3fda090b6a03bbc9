import * as z from '../zod.ts'

/**
 * The optional body of `POST /v1/credentials/{profile}`: narrowing only. Strict — an unknown
 * field (say, `roleArn` or `externalId`) is a 400, never silently ignored.
 * @public
 */
export const vendBody = z.strictObject({
  durationSeconds: z.optional(z.number().check(z.int(), z.minimum(900), z.maximum(43_200))),
  minRemainingSeconds: z.optional(z.number().check(z.int(), z.minimum(0), z.maximum(43_200))),
  /** `oss-upload` profiles with a form: answer with a signed PostObject form. */
  form: z.optional(z.boolean()),
  /**
   * `oss-upload` profiles: answer with a V4 presigned URL for one object under the caller's prefix.
   * Which keys and methods the profile allows is checked by the vend, not here.
   */
  presign: z.optional(
    z.strictObject({
      method: z.enum(['PUT', 'GET']),
      key: z.string(),
      contentType: z.optional(
        z.string().check(z.maxLength(255), z.regex(/^[\w!#$&^.+-]+\/[\w!#$&^.+-]+(;[ -~]*)?$/)),
      ),
    }),
  ),
  parameters: z.optional(
    z
      .record(z.string().check(z.maxLength(64)), z.string().check(z.maxLength(10_240)))
      .check(z.refine((p) => Object.keys(p).length <= 16, 'at most 16 parameters')),
  ),
})

/** @public */
export type VendBody = z.infer<typeof vendBody>
