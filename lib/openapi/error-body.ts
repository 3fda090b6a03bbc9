import * as z from '../zod.ts'

/**
 * Alibaba's error bodies: the POP gateway's `{ RequestId, HostId, Code, Message, Recommend }`
 * and KMS's `{ HttpStatus, Code, Message, RequestId }`
 * (https://www.alibabacloud.com/help/en/kms/key-management-service/support/sample-responses).
 * Only Code and RequestId are kept: Message can echo the server's string to sign, and never
 * reaches a log.
 * @internal
 */
export const alibabaErrorBody = z.pipe(
  z.looseObject({ Code: z.string().check(z.minLength(1)), RequestId: z.optional(z.string()) }),
  z.transform((b) => ({ code: b.Code, requestId: b.RequestId })),
)
