import * as z from 'zod'

/**
 * The optional body of `POST /v1/credentials/{profile}`: narrowing only. Strict — an unknown
 * field (say, `roleArn` or `externalId`) is a 400, never silently ignored.
 * @public
 */
export const vendBody = z.strictObject({
  durationSeconds: z.number().int().min(900).max(43_200).optional(),
  minRemainingSeconds: z.number().int().min(0).max(43_200).optional(),
  /** `oss-upload` profiles with a form: answer with a signed PostObject form. */
  form: z.boolean().optional(),
  parameters: z
    .record(z.string().max(64), z.string().max(10_240))
    .refine((p) => Object.keys(p).length <= 16, 'at most 16 parameters')
    .optional(),
})

/** @public */
export type VendBody = z.infer<typeof vendBody>
