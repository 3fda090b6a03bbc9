import type { NativeDigests } from '../crypto/digests.ts'
import { createRandomHexId } from './random-id.ts'

/**
 * What every runtime hands to lib/: the network, the clock and randomness. Nothing in lib/
 * reaches for a global clock or `crypto.randomUUID` deep inside, so tests pin all three.
 * @public
 */
export interface CoreDeps {
  readonly fetch: typeof fetch
  readonly now: () => Date
  /** A fresh unique value per call: signature nonces, request ids. */
  readonly randomId: () => string
  /**
   * Synchronous digests from the runtime's own crypto, used for signing and hashing when present;
   * Web Crypto otherwise (Workers have nothing else).
   */
  readonly digests?: NativeDigests | undefined
}

/** 128 random bits as 32 lowercase hex characters, from Web Crypto (pooled). @public */
export const randomHexId: () => string = createRandomHexId()
