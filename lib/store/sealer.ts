import { createLru } from '../cache/lru.ts'
import { fromBase64Url, toBase64Url, utf8 } from '../crypto/encoding.ts'

/** A configured sealing key: an id (written next to each sealed value) and its secret. */
export interface SealingKey {
  readonly id: string
  readonly secret: string
}

interface DerivedKey {
  readonly id: string
  readonly seal: CryptoKey
  readonly name: CryptoKey
}

const SALT = utf8('credvend shared state v1')
/** Bounded like the token cache: names of recent cache keys and limit keys. */
const NAMES_REMEMBERED = 10_000

/** Two keys per secret, for two jobs: AES-256-GCM to seal values, HMAC-SHA256 to name them. */
const derive = async (key: SealingKey): Promise<DerivedKey> => {
  const base = await crypto.subtle.importKey('raw', utf8(key.secret), 'HKDF', false, ['deriveKey'])
  const hkdf = (info: string) => ({ name: 'HKDF', hash: 'SHA-256', salt: SALT, info: utf8(info) })
  const [seal, name] = await Promise.all([
    crypto.subtle.deriveKey(hkdf('seal'), base, { name: 'AES-GCM', length: 256 }, false, [
      'encrypt',
      'decrypt',
    ]),
    crypto.subtle.deriveKey(
      hkdf('name'),
      base,
      { name: 'HMAC', hash: 'SHA-256', length: 256 },
      false,
      ['sign'],
    ),
  ])
  return { id: key.id, seal, name }
}

/** Why a sealed value did not open: written by a key not configured here, or not by us at all. */
export type OpenFailure = 'unknown-key' | 'tampered'

/**
 * Seals values for a store credvend does not trust with secrets: AES-256-GCM with a fresh 96-bit
 * nonce, the value's own name-source (the cache key) as associated data — so a sealed value
 * copied under another key fails to open — and key names that are HMACs, so the store holds no
 * caller ids. The first key seals and names writes; every key opens and names reads, so a key can
 * be rotated in without losing what the old one sealed.
 * @internal
 */
export const createSealer = async (keys: readonly SealingKey[]) => {
  if (keys.length === 0) throw new Error('at least one sealing key')
  const derived = await Promise.all(keys.map(derive))
  const byId = new Map(derived.map((k) => [k.id, k]))
  const current = derived[0]!
  const nameWith = async (key: DerivedKey, text: string) =>
    `${key.id}.${toBase64Url(new Uint8Array(await crypto.subtle.sign('HMAC', key.name, utf8(text))))}`
  // A vend names the same key up to five times (read, lock, read, write, unlock) and every request
  // names its rate-limit keys; each HMAC is a Web Crypto round trip, so names are remembered.
  const known = createLru<string, Promise<string[]>>(NAMES_REMEMBERED)
  const names = (text: string): Promise<string[]> => {
    let found = known.get(text)
    if (!found) {
      found = Promise.all(derived.map((k) => nameWith(k, text)))
      known.set(text, found)
      found.catch(() => known.delete(text))
    }
    return found
  }
  return {
    /** The name a write uses. */
    name: async (text: string) => (await names(text))[0]!,
    /** Every name a read tries, the current key's first. */
    names,
    async seal(plaintext: string, associated: string): Promise<string> {
      const iv = crypto.getRandomValues(new Uint8Array(12))
      const sealed = await crypto.subtle.encrypt(
        { name: 'AES-GCM', iv, additionalData: utf8(associated) },
        current.seal,
        utf8(plaintext),
      )
      return `v1.${current.id}.${toBase64Url(iv)}.${toBase64Url(new Uint8Array(sealed))}`
    },
    async open(
      sealed: string,
      associated: string,
    ): Promise<{ plaintext: string } | { failure: OpenFailure }> {
      const [version, id, iv, body] = sealed.split('.')
      const key = id === undefined ? undefined : byId.get(id)
      if (version !== 'v1' || iv === undefined || body === undefined) return { failure: 'tampered' }
      if (!key) return { failure: 'unknown-key' }
      try {
        const plain = await crypto.subtle.decrypt(
          { name: 'AES-GCM', iv: fromBase64Url(iv), additionalData: utf8(associated) },
          key.seal,
          fromBase64Url(body),
        )
        return { plaintext: new TextDecoder().decode(plain) }
      } catch {
        return { failure: 'tampered' }
      }
    },
  }
}

/** @internal */
export type Sealer = Awaited<ReturnType<typeof createSealer>>
