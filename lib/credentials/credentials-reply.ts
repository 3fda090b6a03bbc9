import * as z from '../zod.ts'
import { timestampSchema } from '../signing/timestamp-schema.ts'

/**
 * The JSON a credentials URI or ECS metadata returns (aliyun/credentials-nodejs
 * `src/providers/uri.ts` and `src/providers/ecs_ram_role.ts`). `Code`, when present, must be
 * `Success` (IMDS always sends it; the legacy URI client, `src/uri_credential.ts`, requires it).
 * @internal
 */
export const credentialsReply = z.pipe(
  z
    .looseObject({
      Code: z.optional(z.string()),
      AccessKeyId: z.string().check(z.minLength(1)),
      AccessKeySecret: z.string().check(z.minLength(1)),
      SecurityToken: z.string().check(z.minLength(1)),
      Expiration: timestampSchema('Expiration is not YYYY-MM-DDThh:mm:ssZ'),
    })
    .check(z.refine((r) => r.Code === undefined || r.Code === 'Success', 'Code is not Success')),
  z.transform((r) => ({
    accessKeyId: r.AccessKeyId,
    accessKeySecret: r.AccessKeySecret,
    securityToken: r.SecurityToken,
    expiration: r.Expiration,
  })),
)
