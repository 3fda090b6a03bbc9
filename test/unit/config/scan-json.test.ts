import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { joinPath } from '../../../lib/config/json-path.ts'
import { scanJson } from '../../../lib/config/scan-json.ts'

/** Every value of a parsed document by its path, named as the scanner and config problems name it. */
const valuesByPath = (value: unknown, path = '', out = new Map<string, unknown>()) => {
  out.set(path, value)
  if (Array.isArray(value)) value.forEach((v, i) => valuesByPath(v, `${path}[${i}]`, out))
  else if (typeof value === 'object' && value !== null)
    for (const [k, v] of Object.entries(value)) valuesByPath(v, joinPath(path, k), out)
  return out
}

/** Whether `value` starts at `offset`: its opening bracket, or a scalar's whole text. */
const startsThere = (text: string, offset: number, value: unknown) => {
  if (typeof value === 'object' && value !== null)
    return text[offset] === (Array.isArray(value) ? '[' : '{')
  for (let end = offset + 1; end <= text.length; end++) {
    try {
      if (JSON.stringify(JSON.parse(text.slice(offset, end))) === JSON.stringify(value)) return true
    } catch {
      // not a whole value yet
    }
  }
  return false
}

/** Every path of the document, and whether its value starts where the scanner says. */
const checked = (text: string) => {
  const { starts } = scanJson(text)
  return [...valuesByPath(JSON.parse(text))].map(([path, value]) => [
    path,
    starts.has(path) && startsThere(text, starts.get(path)!, value),
  ])
}

const parses = (text: string) => {
  try {
    JSON.parse(text)
    return true
  } catch {
    return false
  }
}

const SAMPLE = `{
  "region": "cn-hangzhou",
  "profiles": {
    "web": {
      "allow": [ { "jwt": "web" }, 7, -1.5e3, true, null ],
      "variables": { "claims.tenant": { "pattern": "^[a-z]+$" } },
      "sessionPolicy": { "Statement": [ { "Resource": [ "a", "b\\"\\u0041" ] } ] },
      "odd key": {}, "": []
    }
  }
}`

describe('scanJson', () => {
  it('finds where every value of a document starts, by the path config problems use', () => {
    const { starts, error } = scanJson(SAMPLE)
    expect(error).toBeUndefined()
    expect(new Set(starts.keys())).toEqual(new Set(valuesByPath(JSON.parse(SAMPLE)).keys()))
    expect(checked(SAMPLE).filter(([, ok]) => !ok)).toEqual([])
    expect([...starts.keys()]).toEqual(
      expect.arrayContaining([
        'profiles.web.sessionPolicy.Statement[0].Resource[1]',
        'profiles.web.variables.claims.tenant.pattern',
        'profiles.web."odd key"',
        'profiles.web.""',
      ]),
    )
  })

  it('finds every value of any document, however it is laid out', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.constantFrom(undefined, 1, '\t', '\r\n  '), (value, space) => {
        const text = ` ${JSON.stringify(value, null, space)}\n`
        const { starts, error } = scanJson(text)
        expect(error).toBeUndefined()
        expect(starts.size).toBe(valuesByPath(value).size)
        expect(checked(text).filter(([, ok]) => !ok)).toEqual([])
      }),
      { numRuns: 200 },
    )
  })

  it.each([
    ['{', 1, '', 'a quoted property name, found the end of the text'],
    ['{"a": 1,}', 8, '', 'a quoted property name'],
    ['{"a" 1}', 5, 'a', "':'"],
    ['{"a": tru}', 6, 'a', 'a value'],
    ['{"a": [1, 2,]}', 12, 'a[2]', 'a value'],
    ['{"a": [1 2]}', 9, 'a', "',' or ']'"],
    ['{"a": {"b": 1 "c": 2}}', 14, 'a', "',' or '}'"],
    ['{"a": "x\ny"}', 8, 'a', '" to end the string'],
    ['{"a": "x\\qy"}', 8, 'a', 'a valid escape'],
    ['{"a": "x', 8, 'a', '" to end the string, found the end of the text'],
    ['{"a": 1}}', 8, '', 'the end of the text'],
    ['{a: 1}', 1, '', 'a quoted property name'],
    ['\uFEFF{}', 0, '', 'a value'],
    ['', 0, '', 'a value, found the end of the text'],
  ])('stops at %j: offset %i, in %j, expecting %s', (text, at, path, expected) => {
    expect(parses(text)).toBe(false)
    expect(scanJson(text).error).toEqual({ at, path, expected })
  })

  it('agrees with JSON.parse on what is JSON, for every one-character slip in a document', () => {
    const slips = new Set<string>()
    for (let i = 0; i < SAMPLE.length; i++) {
      slips.add(SAMPLE.slice(0, i) + SAMPLE.slice(i + 1))
      for (const c of ['"', ',', '}', ']', '\\', 'x', '\n'])
        slips.add(SAMPLE.slice(0, i) + c + SAMPLE.slice(i))
    }
    for (const text of slips)
      expect([text, scanJson(text).error === undefined]).toEqual([text, parses(text)])
  })

  it('stops at a depth the recursion can bear, keeping the positions read before it', () => {
    const deep = `${'['.repeat(300)}${']'.repeat(300)}`
    const { starts, error } = scanJson(deep)
    expect(parses(deep)).toBe(true)
    expect(error).toMatchObject({ expected: 'at most 256 levels of nesting' })
    expect(starts.get('[0]')).toBe(1)
  })

  it('quotes a key that would break a path apart', () => {
    expect(joinPath('a', 'b')).toBe('a.b')
    expect(joinPath('', 'claims.tenant')).toBe('claims.tenant')
    expect(joinPath('a', 'two words')).toBe('a."two words"')
    expect(joinPath('a', 'line\nbreak')).toBe('a."line\\nbreak"')
    expect(joinPath('a', '')).toBe('a.""')
  })
})
