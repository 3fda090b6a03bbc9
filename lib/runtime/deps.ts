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
}

/** 128 random bits as 32 lowercase hex characters, from Web Crypto (pooled). @public */
export const randomHexId: () => string = createRandomHexId()
