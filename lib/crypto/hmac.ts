import { toBase64, toHex, utf8 } from './encoding.ts'

type Hash = 'SHA-1' | 'SHA-256'

const hmac = async (hash: Hash, key: string | Uint8Array<ArrayBuffer>, data: string) => {
  const raw = typeof key === 'string' ? utf8(key) : key
  const cryptoKey = await crypto.subtle.importKey('raw', raw, { name: 'HMAC', hash }, false, [
    'sign',
  ])
  return new Uint8Array(await crypto.subtle.sign('HMAC', cryptoKey, utf8(data)))
}

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
