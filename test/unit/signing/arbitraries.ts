import fc from 'fast-check'

/** Characters that RFC 3986 treats specially, plus the five `encodeURIComponent` misses. */
const edgeChars = [
  ' ',
  '+',
  '*',
  '~',
  '!',
  "'",
  '(',
  ')',
  '/',
  '?',
  '=',
  '&',
  '%',
  '#',
  ':',
  '@',
  ',',
  ';',
  '"',
  '\n',
  'é',
  '中',
  '😀',
]

/**
 * Parameter values: arbitrary unicode mixed with the encoding edge cases. Lone surrogates are
 * excluded because `encodeURIComponent` — in every signer — throws on them.
 */
export const paramValue = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 24 }),
  fc.array(fc.constantFrom(...edgeChars), { maxLength: 12 }).map((a) => a.join('')),
  fc.string({ unit: 'binary', maxLength: 12 }).filter((s) => !/[\uD800-\uDFFF]/.test(s)),
)

/**
 * Parameter names as Alibaba APIs use them: letters, digits and `._-~`. (openapi-core encodes
 * ACS3 query *values* only, so names outside this set would compare the SDK's quirk, not the spec.)
 */
export const paramName = fc.stringMatching(/^[A-Za-z][A-Za-z0-9._~-]{0,15}$/)

/** Any name the RPC signer must encode (it encodes names as well as values). */
export const anyParamName = fc
  .oneof(paramName, fc.string({ unit: 'grapheme', minLength: 1, maxLength: 10 }))
  .filter((k) => k !== 'Signature' && k !== '__proto__')

/** OSS bucket names. */
export const bucket = fc.stringMatching(/^[a-z0-9][a-z0-9-]{1,20}[a-z0-9]$/)

const keyPiece = fc.constantFrom(
  'a',
  'dir',
  'hello world',
  'a+b',
  '%',
  '%2F',
  '..',
  '.',
  'é',
  '中文',
  '😀',
  "~!*()'",
  '?=&#',
)

/** OSS object keys: path-like pieces with the encoding traps, or any unicode. */
export const objectKey = fc.oneof(
  fc.array(keyPiece, { minLength: 1, maxLength: 5 }).map((p) => p.join('/')),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 30 }),
)
