/**
 * A parsed credentials file, or one section of it: name → value. Values are what the official
 * parser yields: text, `true`/`false`/`null`, lists, sections, or whatever JSON a single-quoted
 * value holds.
 */
type Table = Record<string, unknown>

/** `;` and `#` start a comment anywhere in an unquoted value; a backslash escapes them. */
const isCommentMark = (c: string) => c === ';' || c === '#'

const isQuoted = (text: string) =>
  (text.startsWith('"') && text.endsWith('"')) || (text.startsWith("'") && text.endsWith("'"))

const isTable = (value: unknown): value is Table =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

const own = (table: Table, key: string) => (Object.hasOwn(table, key) ? table[key] : undefined)

/**
 * One section name, key or value as the official parser reads it: trimmed; a value quoted with
 * `"…"` is read as JSON, and one quoted with `'…'` loses its quotes and is then read as JSON if it
 * is JSON (so `'123'` is the number 123); an unquoted value ends at the first `;` or `#` not
 * escaped with a backslash, `\;`, `\#` and `\\` stand for the character, and any other escape is
 * kept as written.
 */
const readText = (raw: string): unknown => {
  const text = raw.trim()
  if (isQuoted(text)) {
    const inner = text.startsWith("'") ? text.slice(1, -1) : text
    try {
      return JSON.parse(inner) as unknown
    } catch {
      return inner
    }
  }
  let out = ''
  let escaping = false
  for (const c of text) {
    if (escaping) {
      out += isCommentMark(c) || c === '\\' ? c : `\\${c}`
      escaping = false
    } else if (isCommentMark(c)) break
    else if (c === '\\') escaping = true
    else out += c
  }
  return (escaping ? `${out}\\` : out).trim()
}

/** A value's words the official parser turns into JSON literals, quoted or not. */
const literal = (value: unknown) =>
  value === 'true' ? true : value === 'false' ? false : value === 'null' ? null : value

/** A section name split at unescaped dots; an escaped dot stays `\.` in every part. */
const dottedParts = (name: string): string[] => {
  const parts = ['']
  for (let i = 0; i < name.length; i++) {
    const c = name[i]!
    if (c === '.' && name[i - 1] !== '\\') parts.push('')
    else parts[parts.length - 1] += c
  }
  return parts
}

/**
 * Sections named `a.b` become section `b` inside `a`, as the official parser nests them: such a
 * profile cannot be found by its dotted name, by either chain.
 */
const nestDottedSections = (out: Table) => {
  const moved: string[] = []
  for (const name of Object.keys(out)) {
    const section = own(out, name)
    if (!isTable(section)) continue
    const parts = dottedParts(name)
    const last = parts.pop()!
    const leaf = last.replaceAll('\\.', '.')
    let parent = out
    for (const part of parts) {
      if (part === '__proto__') continue
      const next = own(parent, part)
      if (typeof next !== 'object' || next === null) parent[part] = {}
      parent = parent[part] as Table
    }
    if (parent === out && leaf === last) continue
    if (leaf !== '__proto__') parent[leaf] = section
    moved.push(name)
  }
  for (const name of moved) delete out[name]
}

/** Where keys land after a section header whose name already holds a plain value: nowhere. */
const detached = (): Table => ({})

/**
 * Parses a credentials file exactly as the official Node chain does: `@alicloud/credentials`
 * 2.4.7 loads it with the `ini` package 1.3.8 (dist/src/util/utils.js `loadIni`), whose rules
 * this follows — whole-line `;`/`#` comments, inline comments cut from unquoted values, quoted
 * values read as JSON, `true`/`false`/`null` as literals, `key[]` lists, a key without `=` as
 * `true`, a section header only when `[…]` is the whole line, repeated sections merged, dotted
 * section names nested — and it throws where that parser throws (a key that reads as JSON
 * `null`). test/integration/ini-parity.test.ts parses the same files with both. Where the official
 * parser would write through to an object's prototype, this one does not: names that read as
 * `__proto__` are dropped, and inherited names such as `constructor` are plain names.
 * @internal
 */
export const parseIni = (text: string): Readonly<Table> => {
  const out: Table = {}
  let current: Table = out
  for (const line of text.split(/[\r\n]+/)) {
    if (line === '' || /^\s*[;#]/.test(line)) continue
    if (line.startsWith('[') && line.endsWith(']') && line.length >= 2) {
      const inner = line.slice(1, -1)
      if (!inner.includes(']')) {
        const name = String(readText(inner))
        if (name === '__proto__') {
          current = detached()
          continue
        }
        const existing = own(out, name)
        if (existing && typeof existing === 'object') current = existing as Table
        else if (existing) current = detached()
        else current = out[name] = {}
        continue
      }
    }
    const eq = line.indexOf('=')
    if (eq === 0) continue
    const rest = eq === -1 ? undefined : line.slice(eq + 1)
    // The official parser's `.*` stops at U+2028/U+2029, so such a value never matches at all.
    if (rest !== undefined && /[\u2028\u2029]/.test(rest)) continue
    const read = readText(eq === -1 ? line : line.slice(0, eq))
    // The official parser reads the key's length, which a key of JSON `null` does not have.
    if (read === null) throw new TypeError('a key reads as JSON null')
    let key = String(read)
    const value = rest === undefined ? true : literal(readText(rest))
    if (key === '__proto__') continue
    const list = typeof read === 'string' && key.length > 2 && key.endsWith('[]')
    if (list) {
      key = key.slice(0, -2)
      if (key === '__proto__') continue
      const held = own(current, key)
      if (!held) current[key] = []
      else if (!Array.isArray(held)) current[key] = [held]
    }
    const held = own(current, key)
    if (Array.isArray(held)) held.push(value)
    else current[key] = value
  }
  nestDottedSections(out)
  return out
}
