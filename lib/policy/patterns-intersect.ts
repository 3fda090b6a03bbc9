/**
 * One step of a resource pattern: a literal character, RAM's `?` (any one character) and `*`
 * (any run), or a template value — one or more characters that are never `/` (values carry no
 * path separator, see FORBIDDEN_IN_VALUE in template.ts).
 */
type Token =
  | { readonly kind: 'char'; readonly char: string }
  | { readonly kind: 'any1' }
  | { readonly kind: 'anyRun' }
  | { readonly kind: 'value1' }
  | { readonly kind: 'valueRun' }

const PLACEHOLDER = /\$\{[^}]*\}/g

const tokenize = (pattern: string): Token[] => {
  const tokens: Token[] = []
  const pushLiteral = (text: string) => {
    for (const char of text) {
      if (char === '*') tokens.push({ kind: 'anyRun' })
      else if (char === '?') tokens.push({ kind: 'any1' })
      else tokens.push({ kind: 'char', char })
    }
  }
  let last = 0
  for (const match of pattern.matchAll(PLACEHOLDER)) {
    pushLiteral(pattern.slice(last, match.index))
    tokens.push({ kind: 'value1' }, { kind: 'valueRun' })
    last = match.index + match[0].length
  }
  pushLiteral(pattern.slice(last))
  return tokens
}

const repeats = (t: Token | undefined) => t?.kind === 'anyRun' || t?.kind === 'valueRun'

/** Which kinds of one character both steps accept: a `:` and/or anything else. */
const overlap = (a: Token, b: Token): { colon: boolean; other: boolean } => {
  if (a.kind === 'char' && b.kind === 'char')
    return a.char !== b.char
      ? { colon: false, other: false }
      : { colon: a.char === ':', other: a.char !== ':' }
  if (a.kind === 'char') {
    const fits = b.kind === 'any1' || b.kind === 'anyRun' || a.char !== '/'
    return { colon: fits && a.char === ':', other: fits && a.char !== ':' }
  }
  if (b.kind === 'char') return overlap(b, a)
  return { colon: true, other: true }
}

/**
 * Whether some string matches both patterns, where each pattern is a template string (static
 * text, RAM wildcards and `${…}` values). Decided exactly over the product of the two patterns'
 * automata, so it is linear in the product of their lengths and never guesses. `maxColons` bounds
 * the colons of the common string: an ARN whose object keys may not contain `:` (the generated
 * OSS policies deny them) has exactly four.
 * @internal
 */
export const patternsIntersect = (
  left: string,
  right: string,
  maxColons = Number.POSITIVE_INFINITY,
): boolean => {
  const a = tokenize(left)
  const b = tokenize(right)
  const seen = new Set<string>()
  const stack: Array<[number, number, number]> = [[0, 0, 0]]
  while (stack.length > 0) {
    const [i, j, colons] = stack.pop()!
    const state = `${i},${j},${colons}`
    if (seen.has(state)) continue
    seen.add(state)
    if (i === a.length && j === b.length) return true
    // A repeating step may also match nothing.
    if (repeats(a[i])) stack.push([i + 1, j, colons])
    if (repeats(b[j])) stack.push([i, j + 1, colons])
    if (i >= a.length || j >= b.length) continue
    // One shared character: a repeating step may take more, a single one is done.
    const next = (used: number): [number, number, number] => [
      repeats(a[i]) ? i : i + 1,
      repeats(b[j]) ? j : j + 1,
      used,
    ]
    const shared = overlap(a[i]!, b[j]!)
    if (shared.other) stack.push(next(colons))
    // Unbounded, colons need no counting (and counting them would never end).
    if (shared.colon && colons < maxColons)
      stack.push(next(Number.isFinite(maxColons) ? colons + 1 : colons))
  }
  return false
}
