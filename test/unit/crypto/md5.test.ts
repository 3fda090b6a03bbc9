import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { md5 } from '../../../lib/emulator/crypto/md5.ts'
import { toBase64, toHex, utf8 } from '../../../lib/crypto/encoding.ts'
import { readCapturedRequest } from '../signing/captured-request.ts'

const nodeMd5 = (bytes: Uint8Array) => createHash('md5').update(bytes).digest('hex')

describe('md5', () => {
  it.each([
    ['', 'd41d8cd98f00b204e9800998ecf8427e'],
    ['a', '0cc175b9c0f1b6a831c399e269772661'],
    ['abc', '900150983cd24fb0d6963f7d28e17f72'],
    ['message digest', 'f96b697d7cb7938d525a2f31aaf161d0'],
    ['abcdefghijklmnopqrstuvwxyz', 'c3fcd3d76192e4007dfb496cca67e13b'],
    [
      '12345678901234567890123456789012345678901234567890123456789012345678901234567890',
      '57edf4a22be3c955ac49da2e2107b67a',
    ],
  ])('RFC 1321 test suite %#', (text, hex) => {
    expect(toHex(md5(utf8(text)))).toBe(hex)
  })

  it('agrees with node:crypto at every length around the padding and block boundaries', () => {
    for (const n of [0, 1, 55, 56, 57, 63, 64, 65, 119, 120, 127, 128, 129, 1000]) {
      const bytes = new Uint8Array(n).map((_, i) => (i * 31 + n) & 0xff)
      expect(toHex(md5(bytes)), `length ${n}`).toBe(nodeMd5(bytes))
    }
  })

  it('agrees with node:crypto on random inputs', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        expect(toHex(md5(bytes))).toBe(nodeMd5(bytes))
      }),
      { numRuns: 500 },
    )
  })

  it('agrees with node:crypto on a 1 MiB input, and on a view into a larger buffer', () => {
    const big = new Uint8Array(1024 * 1024 + 7)
    for (let i = 0; i < big.length; i++) big[i] = (i * 2654435761) >>> 24
    expect(toHex(md5(big))).toBe(nodeMd5(big))
    const view = big.subarray(3, 3 + 1024 * 1024)
    expect(toHex(md5(view))).toBe(nodeMd5(view))
  })

  it('gives the Content-MD5 that ali-oss sent with the captured PutObject', () => {
    const put = readCapturedRequest('captured-oss-put.txt')
    expect(toBase64(md5(put.body))).toBe(put.headers['content-md5'])
  })

  it('changes when one bit of the input changes', () => {
    const bytes = utf8('hello from oss-put oracle\n')
    const flipped = bytes.slice()
    flipped[0]! ^= 1
    expect(toHex(md5(flipped))).not.toBe(toHex(md5(bytes)))
  })
})
