import { toBase64, toHex, utf8 } from './encoding.ts'

type Hash = 'SHA-1' | 'SHA-256'

/**
 * Imported HMAC keys for string secrets, so signing with the same secret again skips importKey
 * (one async round trip). Bounded; cleared whole when full, which is rare: secrets are few.
 */
const keyCache = new Map<string, Promise<CryptoKey>>()
const KEY_CACHE_MAX = 256

const importHmacKey = (hash: Hash, raw: Uint8Array<ArrayBuffer>) =>
  crypto.subtle.importKey('raw', raw, { name: 'HMAC', hash }, false, ['sign'])

const hmacKey = (hash: Hash, key: string | Uint8Array<ArrayBuffer>): Promise<CryptoKey> => {
  if (typeof key !== 'string') return importHmacKey(hash, key)
  const id = `${hash}\n${key}`
  let cached = keyCache.get(id)
  if (!cached) {
    if (keyCache.size >= KEY_CACHE_MAX) keyCache.clear()
    cached = importHmacKey(hash, utf8(key))
    keyCache.set(id, cached)
    cached.catch(() => keyCache.delete(id))
  }
  return cached
}

const hmac = async (hash: Hash, key: string | Uint8Array<ArrayBuffer>, data: string) =>
  new Uint8Array(await crypto.subtle.sign('HMAC', await hmacKey(hash, key), utf8(data)))

/** @internal Base64 HMAC-SHA1, the RPC signature primitive. */
export const hmacSha1Base64 = async (key: string, data: string): Promise<string> =>
  toBase64(await hmac('SHA-1', key, data))

/** @internal Raw HMAC-SHA256 bytes; OSS V4 chains these to derive its signing key. */
export const hmacSha256 = (key: string | Uint8Array<ArrayBuffer>, data: string) =>
  hmac('SHA-256', key, data)

/** @internal Lowercase hex HMAC-SHA256, the ACS3 signature primitive. */
export const hmacSha256Hex = async (key: string, data: string): Promise<string> =>
  toHex(await hmac('SHA-256', key, data))

/** @internal Lowercase hex SHA-256 of a string (UTF-8) or bytes. */
export const sha256Hex = async (data: string | Uint8Array<ArrayBuffer>): Promise<string> =>
  toHex(await crypto.subtle.digest('SHA-256', typeof data === 'string' ? utf8(data) : data))
