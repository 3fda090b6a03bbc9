import { VendError } from '../errors.ts'
import type { CredvendClient } from './credvend-client.ts'

/**
 * Access-key profiles refuse any duration with a bare 400 (ERR_BAD_REQUEST, the same code as a
 * malformed body). After a refusal of a vend that named a duration, one plain vend tells whether
 * the profile's kind was the reason: true only when it answers without a SecurityToken.
 * @public
 */
export const refusedForBeingAccessKey = async (
  client: CredvendClient,
  error: unknown,
): Promise<boolean> => {
  if (!(error instanceof VendError) || error.retryable) return false
  const plain = await client.vend().catch(() => undefined)
  return plain !== undefined && plain.securityToken === undefined
}
