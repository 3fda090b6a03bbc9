import { CALLER_ID_CHARS } from '../auth/caller-alphabet.ts'
import { hmacSha256Hex, sha256Hex } from '../crypto/hmac.ts'

const FITS = new RegExp(`^[${CALLER_ID_CHARS}]{2,32}$`)
const OUTSIDE = new RegExp(`[^${CALLER_ID_CHARS}]`, 'g')

/**
 * The RoleSessionName for a caller: its id when that fits 32 characters of `[A-Za-z0-9.@_-]`
 * (the tighter of STS's two documented limits), otherwise a readable prefix plus a hash so
 * distinct callers never share a name. Pseudonymous names (cross-account profiles) are a keyed
 * hash, so a partner's audit trail never shows internal ids.
 * @internal
 */
export const sessionNameFor = async (
  callerId: string,
  mode: 'caller' | 'pseudonymous',
  key: string | undefined,
): Promise<string> => {
  if (mode === 'pseudonymous') return `p-${(await hmacSha256Hex(key ?? '', callerId)).slice(0, 30)}`
  if (FITS.test(callerId)) return callerId
  const readable = callerId.replace(OUTSIDE, '').slice(0, 19)
  return `${readable || 'c'}-${(await sha256Hex(callerId)).slice(0, 12)}`
}
