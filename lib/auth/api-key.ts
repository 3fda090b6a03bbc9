import { toBase64Url } from '../crypto/encoding.ts'
import { sha256Hex } from '../crypto/hmac.ts'
import { timingSafeEqual } from '../crypto/timing-safe-equal.ts'
import type { Caller } from './caller.ts'
import { authError } from './jwt-errors.ts'

/**
 * API keys read `cvk_<id>_<secret>`: no dots, so a key can never parse as a JWT (three
 * dot-separated segments) and the two authentication paths never fall into each other.
 * @public
 */
export const API_KEY_PREFIX = 'cvk_'
const API_KEY = /^cvk_([a-z0-9][a-z0-9-]{0,31})_([A-Za-z0-9_-]{43})$/

/** One configured key with its digests resolved. @internal */
export interface ApiKeyRecord {
  readonly id: string
  readonly digests: readonly string[]
  readonly expiresAtMs: number | undefined
  readonly disabled: boolean
}

/** Mints a key for `id` with 256 random bits, and the SHA-256 digest that goes into config. @public */
export const createApiKey = async (
  id: string,
  randomBytes: (n: number) => Uint8Array<ArrayBuffer>,
) => {
  const key = `${API_KEY_PREFIX}${id}_${toBase64Url(randomBytes(32))}`
  return { key, sha256: await sha256Hex(key) }
}

/** A digest no key hashes to, compared against when the id is unknown so timing does not tell. */
const DECOY = '0'.repeat(64)

/**
 * Verifies an API key: parse, hash, then compare against every configured digest of that id in
 * constant time (no early exit). Unknown id, wrong secret and malformed key are one answer.
 * @internal
 */
export const verifyApiKey = async (
  token: string,
  keys: ReadonlyMap<string, ApiKeyRecord>,
  revoked: ReadonlySet<string>,
  now: Date,
): Promise<Caller> => {
  const match = API_KEY.exec(token)
  const record = match ? keys.get(match[1]!) : undefined
  const digest = await sha256Hex(token)
  let ok = false
  for (const candidate of record?.digests ?? [DECOY]) {
    ok = (await timingSafeEqual(digest, candidate)) || ok
  }
  if (!record || !ok) throw authError('ERR_AUTH_KEY_INVALID')
  if (record.disabled || revoked.has(record.id)) throw authError('ERR_AUTH_KEY_REVOKED')
  if (record.expiresAtMs !== undefined && now.getTime() >= record.expiresAtMs)
    throw authError('ERR_AUTH_KEY_EXPIRED')
  return {
    id: `key.${record.id}`,
    kind: 'apiKey',
    authority: record.id,
    sub: record.id,
    claims: {},
  }
}
