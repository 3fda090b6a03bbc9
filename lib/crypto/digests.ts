import { hmacSha1Base64, hmacSha256, hmacSha256Hex, sha256Hex } from './hmac.ts'

/**
 * Digests a runtime computes synchronously with its own crypto (Node and Function Compute:
 * `node:crypto`). Web Crypto's are asynchronous and on Node each one waits for a thread-pool round
 * trip, tens of microseconds per signature; a runtime that has these hands them to lib/ as
 * `CoreDeps.digests`. Strings are hashed as their UTF-8 bytes, as Web Crypto's callers here encode
 * them.
 * @public
 */
export interface NativeDigests {
  sha256Hex(data: string): string
  hmacSha1Base64(key: string, data: string): string
  hmacSha256(key: string | Uint8Array, data: string): Uint8Array<ArrayBuffer>
  hmacSha256Hex(key: string | Uint8Array, data: string): string
}

/** The digests signing awaits, whichever implementation computes them. @internal */
export interface Digests {
  sha256Hex(data: string): Promise<string>
  hmacSha1Base64(key: string, data: string): Promise<string>
  hmacSha256(key: string | Uint8Array<ArrayBuffer>, data: string): Promise<Uint8Array<ArrayBuffer>>
  hmacSha256Hex(key: string, data: string): Promise<string>
}

/** Web Crypto's: every runtime has them, Workers only them. @internal */
export const webDigests: Digests = { sha256Hex, hmacSha1Base64, hmacSha256, hmacSha256Hex }

/**
 * The runtime's native digests behind the awaited shape (a throw still arrives as a rejection),
 * or Web Crypto's when the runtime has none.
 * @internal
 */
export const digestsOf = (native: NativeDigests | undefined): Digests =>
  native
    ? {
        sha256Hex: async (data) => native.sha256Hex(data),
        hmacSha1Base64: async (key, data) => native.hmacSha1Base64(key, data),
        hmacSha256: async (key, data) => native.hmacSha256(key, data),
        hmacSha256Hex: async (key, data) => native.hmacSha256Hex(key, data),
      }
    : webDigests
