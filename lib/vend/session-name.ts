import { CALLER_ID_CHARS } from '../auth/caller-alphabet.ts'
import { hmacSha256Hex, sha256Hex } from '../crypto/hmac.ts'

const OUTSIDE = new RegExp(`[^${CALLER_ID_CHARS}]`, 'g')
const IN_ALPHABET = new RegExp(`^[${CALLER_ID_CHARS}]{2,}$`)
/** Prefixes of derived names; no caller id starts with either (they start `jwt.`, `key.`, …). */
const DERIVED = /^[hp]-/

/**
 * A caller id as a name of at most `max` characters: the id itself when it fits, otherwise `h-`,
 * a readable part and a hash of the whole id. The `h-` prefix no plain id has keeps a hashed name
 * from ever equalling another caller's plain one, and the hash is long enough (72 bits at 32
 * characters) that no caller can search out an id whose name equals someone else's.
 */
const boundedName = async (callerId: string, max: number): Promise<string> => {
  if (callerId.length <= max && IN_ALPHABET.test(callerId) && !DERIVED.test(callerId))
    return callerId
  const hashLength = max >= 64 ? 32 : 18
  const readable = callerId.replace(OUTSIDE, '').slice(0, max - hashLength - 3)
  return `h-${readable}-${(await sha256Hex(callerId)).slice(0, hashLength)}`
}

/**
 * The RoleSessionName for a caller: its id when that fits 32 characters of `[A-Za-z0-9.@_-]`
 * (the tighter of STS's two documented limits), otherwise a derived name distinct callers never
 * share. Pseudonymous names (cross-account profiles) are a keyed hash, so a partner's audit trail
 * never shows internal ids.
 * @internal
 */
export const sessionNameFor = async (
  callerId: string,
  mode: 'caller' | 'pseudonymous',
  key: string | undefined,
): Promise<string> =>
  mode === 'pseudonymous'
    ? `p-${(await hmacSha256Hex(key ?? '', callerId)).slice(0, 30)}`
    : boundedName(callerId, 32)

/**
 * The SourceIdentity for a caller (STS allows 64 characters): never a truncation, which two ids
 * sharing their first 64 characters would have in common.
 * @internal
 */
export const sourceIdentityFor = (callerId: string): Promise<string> => boundedName(callerId, 64)
