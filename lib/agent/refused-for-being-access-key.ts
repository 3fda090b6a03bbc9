import { CredvendRefusal, type CredvendClient } from './credvend-client.ts'

/**
 * Access-key profiles refuse any duration with a bare 400 ERR_BAD_REQUEST (lib/vend/
 * access-key-service.ts), the same code as a malformed body. After exactly that refusal of a vend
 * that named a duration, one plain vend tells whether the profile's kind was the reason: true
 * only when it answers without a SecurityToken. Any other refusal (403, 404, 5xx…) is not probed:
 * the probe fetches a long-lived AccessKey, which only this one error message needs.
 * @public
 */
export const refusedForBeingAccessKey = async (
  client: CredvendClient,
  error: unknown,
): Promise<boolean> => {
  if (
    !(error instanceof CredvendRefusal) ||
    error.httpStatus !== 400 ||
    error.serverCode !== 'ERR_BAD_REQUEST'
  )
    return false
  const plain = await client.vend().catch(() => undefined)
  return plain !== undefined && plain.securityToken === undefined
}
