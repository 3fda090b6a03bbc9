import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { sha256HexSync } from '../../../lib/crypto/sha256-sync.ts'
import { sha256Hex } from '../../../lib/crypto/hmac.ts'
import { sha256DocVectors } from '../../vectors/alibaba-docs.fixture.ts'

describe('sha256HexSync', () => {
  it.each([
    ['', 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'],
    ['abc', 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'],
    [
      'abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq',
      '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1',
    ],
    [sha256DocVectors[0].data, sha256DocVectors[0].hex],
  ])('FIPS 180-4 / published vector %#', (input, hex) => {
    expect(sha256HexSync(input)).toBe(hex)
  })

  it('agrees with crypto.subtle on random strings of every length around the block boundaries', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: 'grapheme', maxLength: 300 }), async (text) => {
        expect(sha256HexSync(text)).toBe(await sha256Hex(text))
      }),
      { numRuns: 400 },
    )
    for (let n = 50; n < 140; n++)
      expect(sha256HexSync('x'.repeat(n))).toBe(await sha256Hex('x'.repeat(n)))
  })
})
