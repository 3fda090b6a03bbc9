import { digestsOf, webDigests, type Digests } from '../../../lib/crypto/digests.ts'
import { nodeDigests } from '../../../functions/node/platform/native-digests.ts'

/**
 * Both digest implementations signing runs on: Web Crypto (Workers, and any runtime without
 * native digests) and `node:crypto` (Node and FC). Every vector must hold under each.
 */
export const DIGEST_IMPLEMENTATIONS: ReadonlyArray<readonly [name: string, digests: Digests]> = [
  ['Web Crypto', webDigests],
  ['node:crypto', digestsOf(nodeDigests)],
]
