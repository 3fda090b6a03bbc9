import { joinPath } from './json-path.ts'

/** Where a text stops being JSON (RFC 8259): the offset, the value it was in, what had to come next. @internal */
interface JsonSyntaxError {
  readonly at: number
  /** The path of the innermost object or array being read (`''` for the document). */
  readonly path: string
  readonly expected: string
}

/** @internal */
export interface JsonScan {
  /** Where each value starts, by its path (`profiles.web.allow[0]`; `''` is the document). */
  readonly starts: ReadonlyMap<string, number>
  /** Absent when the whole text is JSON; `starts` then holds what was read before it. */
  readonly error?: JsonSyntaxError
}

const SPACE = /[ \t\n\r]*/y
/** A string up to its closing quote (group 1), or up to where it goes wrong. */
// eslint-disable-next-line no-control-regex -- RFC 8259 §7: control characters must be escaped
const STRING = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*(")?/y
const SCALAR = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null/y
/** Deeper documents still parse; positions below this depth fall back to an ancestor's. */
const MAX_DEPTH = 256

/**
 * Reads a JSON text once for positions, which `JSON.parse` does not give: where every value
 * starts, named by the same path a schema problem carries, and where the text stops being JSON
 * with what was expected there. Paths join keys with `.` and indexes with `[n]`, as problems do.
 * It copies out keys (paths are made of them), never a value.
 * @internal
 */
export const scanJson = (text: string): JsonScan => {
  const starts = new Map<string, number>()
  let i = 0
  const match = (pattern: RegExp) => {
    pattern.lastIndex = i
    const found = pattern.exec(text)
    if (found) i = pattern.lastIndex
    return found
  }
  const stop = (path: string, expected: string): JsonSyntaxError => ({
    at: i,
    path,
    expected: i < text.length ? expected : `${expected}, found the end of the text`,
  })
  const string = (path: string) => {
    const found = match(STRING)
    if (found && !found[1])
      throw stop(path, text[i] === '\\' ? 'a valid escape' : '" to end the string')
    return found?.[0]
  }
  const value = (path: string, depth: number): void => {
    match(SPACE)
    starts.set(path, i)
    const open = text[i]
    if (open !== '{' && open !== '[') {
      if (string(path) === undefined && !match(SCALAR)) throw stop(path, 'a value')
      return
    }
    if (depth === MAX_DEPTH) throw stop(path, `at most ${MAX_DEPTH} levels of nesting`)
    const close = open === '{' ? '}' : ']'
    i++
    match(SPACE)
    if (text[i] === close) return void i++
    for (let n = 0; ; n++) {
      let at = `${path}[${n}]`
      if (open === '{') {
        match(SPACE)
        const key = string(path)
        if (key === undefined) throw stop(path, 'a quoted property name')
        at = joinPath(path, JSON.parse(key) as string)
        match(SPACE)
        if (text[i] !== ':') throw stop(at, "':'")
        i++
      }
      value(at, depth + 1)
      match(SPACE)
      if (text[i] === ',') i++
      else if (text[i] === close) return void i++
      else throw stop(path, `',' or '${close}'`)
    }
  }
  try {
    value('', 0)
    match(SPACE)
    if (i < text.length) throw stop('', 'the end of the text')
    return { starts }
  } catch (error) {
    return { starts, error: error as JsonSyntaxError }
  }
}
