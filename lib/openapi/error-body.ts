import * as z from 'zod'

/**
 * Alibaba's error bodies: the POP gateway's `{ RequestId, HostId, Code, Message, Recommend }`
 * and KMS's `{ HttpStatus, Code, Message, RequestId }`
 * (https://www.alibabacloud.com/help/en/kms/key-management-service/support/sample-responses).
 * Only Code and RequestId are kept: Message can echo the server's string to sign, and never
 * reaches a log.
 * @internal
 */
export const alibabaErrorBody = z
  .looseObject({ Code: z.string().min(1), RequestId: z.string().optional() })
  .transform((b) => ({ code: b.Code, requestId: b.RequestId }))
