import { mkdtempSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { parseIni } from '../../lib/credentials/providers/parse-ini.ts'

/**
 * The official Node chain reads `~/.alibabacloud/credentials` with `loadIni`
 * (@alicloud/credentials dist/src/util/utils.js): a read-permission check, the file's text, and
 * the `ini` package it depends on. The fixed files below go through `loadIni` itself; the random
 * ones through that same `ini` package, resolved from the official package's own directory.
 */
const require = createRequire(import.meta.url)
const { loadIni } = require('@alicloud/credentials/dist/src/util/utils.js') as {
  loadIni: (path: string) => Promise<unknown>
}
const officialParse = (
  createRequire(join(dirname(require.resolve('@alicloud/credentials')), 'util', 'utils.js'))(
    'ini',
  ) as { parse: (text: string) => unknown }
).parse

const dir = mkdtempSync(join(tmpdir(), 'credvend-ini-'))
let written = 0
const officialLoad = (text: string) => {
  const path = join(dir, `credentials-${written++}`)
  writeFileSync(path, text)
  return loadIni(path)
}

const FILES: Array<[string, string]> = [
  [
    'inline comments after values, with and without spaces',
    [
      '[default]',
      'type = access_key ; the kind',
      'access_key_id = LTAI5tKey# no space before it',
      'access_key_secret = s3cr3t;x',
    ].join('\n'),
  ],
  [
    'escaped comment marks and backslashes',
    '[p]\naccess_key_secret = a\\;b\\#c\\\\d\\e\nrole_arn = acs:ram::1:role/x \\',
  ],
  [
    'double quotes read as JSON',
    '[p]\na = "quoted ; not a comment"\nb = "esc\\"aped"\nc = "unterminated ; x\nd = "bad \\q escape"',
  ],
  [
    'single quotes stripped, then JSON when it is JSON',
    "[p]\na = 'plain # text'\nb = '123'\nc = '\"inner\"'\nd = '{\"Version\":\"1\"}'\ne = ''\nf = '",
  ],
  ['a quoted value followed by a comment keeps its quotes', '[p]\na = "x" ; note\nb = \'y\' # n'],
  ['true, false and null, bare or quoted', '[p]\nenable = false\na = true\nb = "null"\nc'],
  [
    'whole-line comments, indentation, CRLF and blank lines',
    '; header\r\n  # indented\r\n\r\n[default]\r\n\ttype = access_key\r\n  access_key_id = x  \r\n',
  ],
  [
    'section headers: spaces, quotes, comments, and lines that are not headers',
    '[ spaced ]\na = 1\n["quoted"]\nb = 2\n[name ; c]\nc = 3\n  [indented]\nd = 4\n[tail] \ne = 5\n[a]b]\n',
  ],
  ['repeated sections merge; the last key wins', '[p]\na = 1\nb = 1\n[q]\nx = 1\n[p]\na = 2'],
  [
    'dotted section names nest',
    '[prod.cn]\na = 1\n[esc\\.aped]\nb = 2\n[x.y.z]\nc = 3\n[x]\nd = 4',
  ],
  ['key[] lists', '[p]\nk[] = 1\nk[] = 2\nj = 0\nj[] = 3\n[] = 4'],
  ['keys before any section, and a line starting with =', 'top = 1\n= nothing\n[p]\n=x\na=b=c'],
  ['__proto__ never reaches a prototype', '[__proto__]\npolluted = 1\n[p]\n__proto__ = 1\nok = 2'],
  ['U+2028 inside a value drops the line', '[p]\na = x\u2028y\nb = ok'],
  [
    "a key that reads as JSON null: the official parser throws, and so does credvend's",
    "[p]\n'null'",
  ],
  ['a quoted key that reads as a list is no key[] list', '[p]\n\'["a[]"]\' = 1\nb[] = 2'],
]

/** What a parse came to: its result, or that it threw (the official parser throws on some files). */
const outcome = async (parse: () => unknown) => {
  try {
    return { parsed: await parse() }
  } catch {
    return { threw: true }
  }
}

const syncOutcome = (parse: () => unknown) => {
  try {
    return { parsed: parse() }
  } catch {
    return { threw: true }
  }
}

describe('credvend parses credentials files as the official Node chain does', () => {
  it.each(FILES)('%s', async (_name, text) => {
    expect(await outcome(() => parseIni(text))).toEqual(await outcome(() => officialLoad(text)))
  })

  it('on random files of the characters that matter', () => {
    const token = fc.constantFrom(
      '[',
      ']',
      '=',
      ';',
      '#',
      '\\',
      '"',
      "'",
      '.',
      ' ',
      '\t',
      '\n',
      '\r\n',
      'a',
      'b',
      'type',
      'true',
      'null',
      '1',
      '{',
      '}',
      ':',
      ',',
      '[]',
      '\r',
      '\u2028',
      '\u00a0',
      '\ufeff',
    )
    fc.assert(
      fc.property(fc.array(token, { maxLength: 60 }), (tokens) => {
        const text = tokens.join('')
        const ours = syncOutcome(() => parseIni(text))
        expect(ours).toEqual(syncOutcome(() => officialParse(text)))
      }),
      { numRuns: 2000 },
    )
  })
})
