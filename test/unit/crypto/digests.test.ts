import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { digestsOf, webDigests, type NativeDigests } from '../../../lib/crypto/digests.ts'
import { toHex } from '../../../lib/crypto/encoding.ts'
import { nodeDigests } from '../../../functions/node/platform/native-digests.ts'
import { hmacSha1DocVectors, sha256DocVectors } from '../../vectors/alibaba-docs.fixture.ts'

/** Text as signing meets it: any Unicode, including what UTF-8 needs several bytes for. */
const text = fc.string({ unit: 'grapheme', maxLength: 200 })
/**
 * HMAC keys are never empty: Web Crypto refuses an empty one (node:crypto takes it), and signing
 * never has one (RPC appends `&` to the secret, OSS V4 prefixes `aliyun_v4`).
 */
const hmacKey = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 80 })
const keyBytes = fc.uint8Array({ minLength: 1, maxLength: 80 })

describe('node:crypto digests agree with Web Crypto', () => {
  it('on the published SHA-256 and HMAC-SHA1 vectors', () => {
    for (const v of sha256DocVectors) expect(nodeDigests.sha256Hex(v.data)).toBe(v.hex)
    for (const v of hmacSha1DocVectors)
      expect(nodeDigests.hmacSha1Base64(v.key, v.data)).toBe(v.base64)
  })

  it('SHA-256 on random text', async () => {
    await fc.assert(
      fc.asyncProperty(text, async (data) => {
        const native = nodeDigests.sha256Hex(data)
        expect(native).toBe(await webDigests.sha256Hex(data))
      }),
      { numRuns: 300 },
    )
  })

  it('HMAC-SHA1 and HMAC-SHA256 on random text keys and data', async () => {
    await fc.assert(
      fc.asyncProperty(hmacKey, text, async (key, data) => {
        expect(nodeDigests.hmacSha1Base64(key, data)).toBe(
          await webDigests.hmacSha1Base64(key, data),
        )
        expect(nodeDigests.hmacSha256Hex(key, data)).toBe(await webDigests.hmacSha256Hex(key, data))
        expect(toHex(nodeDigests.hmacSha256(key, data))).toBe(
          toHex(await webDigests.hmacSha256(key, data)),
        )
      }),
      { numRuns: 300 },
    )
  })

  it('HMAC-SHA256 keyed with bytes, as OSS V4 chains its signing key', async () => {
    await fc.assert(
      fc.asyncProperty(keyBytes, text, async (key, data) => {
        const web = await webDigests.hmacSha256(new Uint8Array(key), data)
        expect(toHex(nodeDigests.hmacSha256(key, data))).toBe(toHex(web))
        expect(nodeDigests.hmacSha256Hex(key, data)).toBe(toHex(web))
      }),
      { numRuns: 200 },
    )
  })
})

describe('digestsOf', () => {
  it('is Web Crypto when the runtime has no native digests', () => {
    expect(digestsOf(undefined)).toBe(webDigests)
  })

  it('wraps native digests in the awaited shape, a throw arriving as a rejection', async () => {
    const failing: NativeDigests = {
      ...nodeDigests,
      sha256Hex: () => {
        throw new Error('no digest')
      },
    }
    const digests = digestsOf(failing)
    const pending = digests.sha256Hex('x')
    expect(pending).toBeInstanceOf(Promise)
    await expect(pending).rejects.toThrow('no digest')
    expect(await digests.hmacSha1Base64('secret', 'stringtosign')).toBe(
      'OmuTAr79tpI6CRoAdmzKRq5lHs0=',
    )
  })
})
