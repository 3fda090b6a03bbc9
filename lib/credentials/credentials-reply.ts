import * as z from 'zod'
import { parseTimestamp } from '../signing/timestamp.ts'

/**
 * The JSON a credentials URI or ECS metadata returns (aliyun/credentials-nodejs
 * `src/providers/uri.ts` and `src/providers/ecs_ram_role.ts`). `Code`, when present, must be
 * `Success` (IMDS always sends it; the legacy URI client, `src/uri_credential.ts`, requires it).
 * @internal
 */
export const credentialsReply = z
  .looseObject({
    Code: z.string().optional(),
    AccessKeyId: z.string().min(1),
    AccessKeySecret: z.string().min(1),
    SecurityToken: z.string().min(1),
    Expiration: z.string(),
  })
  .refine((r) => r.Code === undefined || r.Code === 'Success', 'Code is not Success')
  .transform((r, ctx) => {
    const expiration = parseTimestamp(r.Expiration)
    if (!expiration) {
      ctx.addIssue({ code: 'custom', message: 'Expiration is not YYYY-MM-DDThh:mm:ssZ' })
      return z.NEVER
    }
    return {
      accessKeyId: r.AccessKeyId,
      accessKeySecret: r.AccessKeySecret,
      securityToken: r.SecurityToken,
      expiration,
    }
  })
