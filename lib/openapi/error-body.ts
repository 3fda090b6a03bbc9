import * as z from 'zod'

/**
 * Alibaba's error bodies: the POP gateway's `{ RequestId, HostId, Code, Message, Recommend }`
 * and KMS's `{ HttpStatus, Code, Message, RequestId }` (ALIBABA.md §1.3). Only Code and
 * RequestId are kept: Message can echo the server's string to sign, and never reaches a log.
 * @internal
 */
export const alibabaErrorBody = z
  .looseObject({ Code: z.string().min(1), RequestId: z.string().optional() })
  .transform((b) => ({ code: b.Code, requestId: b.RequestId }))

/** @internal */
export type AlibabaErrorBody = z.output<typeof alibabaErrorBody>
