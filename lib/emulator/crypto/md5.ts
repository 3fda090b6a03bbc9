/**
 * MD5 (RFC 1321). Web Crypto has no MD5, yet OSS needs it for `Content-MD5` and ETags; it is
 * used there as a checksum, never for security. Checked against node:crypto by property tests.
 */

/** Per-round left-rotation amounts, four per round group. */
const S = [7, 12, 17, 22, 5, 9, 14, 20, 4, 11, 16, 23, 6, 10, 15, 21]

/** floor(abs(sin(i + 1)) * 2^32), spelled out so the result does not depend on Math.sin. */
const K = new Uint32Array([
  0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee, 0xf57c0faf, 0x4787c62a, 0xa8304613, 0xfd469501,
  0x698098d8, 0x8b44f7af, 0xffff5bb1, 0x895cd7be, 0x6b901122, 0xfd987193, 0xa679438e, 0x49b40821,
  0xf61e2562, 0xc040b340, 0x265e5a51, 0xe9b6c7aa, 0xd62f105d, 0x02441453, 0xd8a1e681, 0xe7d3fbc8,
  0x21e1cde6, 0xc33707d6, 0xf4d50d87, 0x455a14ed, 0xa9e3e905, 0xfcefa3f8, 0x676f02d9, 0x8d2a4c8a,
  0xfffa3942, 0x8771f681, 0x6d9d6122, 0xfde5380c, 0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70,
  0x289b7ec6, 0xeaa127fa, 0xd4ef3085, 0x04881d05, 0xd9d4d039, 0xe6db99e5, 0x1fa27cf8, 0xc4ac5665,
  0xf4292244, 0x432aff97, 0xab9423a7, 0xfc93a039, 0x655b59c3, 0x8f0ccc92, 0xffeff47d, 0x85845dd1,
  0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1, 0xf7537e82, 0xbd3af235, 0x2ad7d2bb, 0xeb86d391,
])

/** Runs the compression function over every whole 64-byte block of `view`, updating `h`. */
const compress = (h: Uint32Array, view: DataView, M: Uint32Array) => {
  for (let offset = 0; offset + 64 <= view.byteLength; offset += 64) {
    for (let j = 0; j < 16; j++) M[j] = view.getUint32(offset + j * 4, true)
    let a = h[0]!,
      b = h[1]!,
      c = h[2]!,
      d = h[3]!
    for (let i = 0; i < 64; i++) {
      let f: number, g: number
      if (i < 16) {
        f = (b & c) | (~b & d)
        g = i
      } else if (i < 32) {
        f = (d & b) | (~d & c)
        g = (5 * i + 1) & 15
      } else if (i < 48) {
        f = b ^ c ^ d
        g = (3 * i + 5) & 15
      } else {
        f = c ^ (b | ~d)
        g = (7 * i) & 15
      }
      const sum = (a + f + K[i]! + M[g]!) >>> 0
      const s = S[((i >> 4) << 2) | (i & 3)]!
      a = d
      d = c
      c = b
      b = (b + ((sum << s) | (sum >>> (32 - s)))) >>> 0
    }
    h[0] = (h[0]! + a) >>> 0
    h[1] = (h[1]! + b) >>> 0
    h[2] = (h[2]! + c) >>> 0
    h[3] = (h[3]! + d) >>> 0
  }
}

/**
 * The 16-byte MD5 digest of `bytes`. Whole blocks are read in place; only the tail is copied,
 * so hashing a large body allocates at most 128 bytes.
 * @example
 * headers['content-md5'] = toBase64(md5(body))
 * @internal
 */
export const md5 = (bytes: Uint8Array): Uint8Array => {
  const h = new Uint32Array([0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476])
  const M = new Uint32Array(16)
  const whole = bytes.length - (bytes.length % 64)
  compress(h, new DataView(bytes.buffer, bytes.byteOffset, whole), M)

  const rest = bytes.length - whole
  const tail = new Uint8Array(rest < 56 ? 64 : 128)
  tail.set(bytes.subarray(whole))
  tail[rest] = 0x80
  const tailView = new DataView(tail.buffer)
  // The length is in bits, little-endian, as 64 bits: split so lengths past 512 MiB stay exact.
  tailView.setUint32(tail.length - 8, (bytes.length * 8) >>> 0, true)
  tailView.setUint32(tail.length - 4, Math.floor(bytes.length / 2 ** 29), true)
  compress(h, tailView, M)

  const out = new Uint8Array(16)
  const outView = new DataView(out.buffer)
  for (let i = 0; i < 4; i++) outView.setUint32(i * 4, h[i]!, true)
  return out
}
