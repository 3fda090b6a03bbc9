import { createHash, createHmac } from 'node:crypto'
import type { NativeDigests } from '../../../lib/crypto/digests.ts'

/**
 * `node:crypto`'s digests, computed on the calling thread: no thread-pool round trip as Web
 * Crypto's take on Node. Strings go in as UTF-8, Node's default, as lib/ encodes them for Web
 * Crypto. `createHash` rather than the one-shot `hash`, which needs Node 20.12 or later: FC's
 * `nodejs20` runtime names no minor version.
 */
export const nodeDigests: NativeDigests = {
  sha256Hex: (data) => createHash('sha256').update(data).digest('hex'),
  hmacSha1Base64: (key, data) => createHmac('sha1', key).update(data).digest('base64'),
  hmacSha256: (key, data) => createHmac('sha256', key).update(data).digest(),
  hmacSha256Hex: (key, data) => createHmac('sha256', key).update(data).digest('hex'),
}
