/**
 * Operator-written patterns run on values a caller chose, and JavaScript's backtracking engine
 * takes exponential time on patterns such as `(a+)+` or `(a|aa)*`: one request could hold an
 * instance for minutes. Only a subset is accepted whose worst case stays a low-degree polynomial
 * of the value's length (at most 128 characters): no backreferences or lookaround, no quantifier
 * on a group that holds a quantifier or `|`, and few enough choice points that a failing match
 * cannot retry too many ways. The check reads the source itself rather than timing a match, so a
 * pattern is refused at config load, never halfway through a request.
 */

/**
 * A failing match retries every way of splitting the value between the variable-length
 * quantifiers, about length^count ways, so the count bounds the polynomial's degree.
 */
const MAX_VARIABLE_QUANTIFIERS = 3
/**
 * Groups of alternatives multiply the retries by their numbers of choices, even without a
 * quantifier (`(a|a)(a|a)…` is exponential in the number of groups). Capped near the longest value
 * (128), all of them together cost about one more quantifier, and are counted as one.
 */
const MAX_ALTERNATIVE_PATHS = 128

const REPEATED_GROUP =
  'use a character class such as [a-z0-9.]+ instead of a repeated group, or list the choices without repeating them'
const BACKREFERENCE =
  'backreferences (\\1, \\k<name>) are not allowed: they can make matching exponential; spell the repeated text out'
const LOOKAROUND =
  'lookahead and lookbehind ((?=, (?!, (?<=, (?<!) are not allowed; anchor the pattern with ^ and $ and use character classes'
const ESCAPES =
  'the allowed escapes are \\d \\D \\w \\W \\s \\S \\b \\B \\t \\n \\r \\v \\f \\0 \\xHH \\uHHHH \\cX and \\ before one of ^$\\.*+?()[]{}|/-'

/** Characters a backslash turns into themselves; any other identity escape is refused as ambiguous across regex modes. */
const ESCAPED_LITERALS = '^$\\.*+?()[]{}|/-'
const CLASS_ESCAPES = 'dDwWsStnrvf'

interface Group {
  readonly start: number
  end: number
  /** Holds a quantifier (at any depth): repeating it would nest quantifiers. */
  quantified: boolean
  /** Holds a `|` (at any depth): repeating it lets overlapping branches split the value many ways. */
  alternated: boolean
  branches: number
}

type Escape = { readonly end: number; readonly assertion: boolean } | { readonly reason: string }

const readEscape = (pattern: string, at: number, inClass: boolean): Escape => {
  const next = pattern[at + 1]
  if (next === undefined) return { reason: 'the pattern ends with a lone \\' }
  // Inside a class, \1 is a legacy octal escape rather than a backreference: refused as unsupported below.
  if (!inClass && (/[1-9]/.test(next) || next === 'k')) return { reason: BACKREFERENCE }
  if (next === 'b' || next === 'B') {
    // \b is a word boundary outside a class and a backspace inside one; \B has no class meaning.
    if (!inClass) return { end: at + 2, assertion: true }
    if (next === 'b') return { end: at + 2, assertion: false }
  }
  if (CLASS_ESCAPES.includes(next) || ESCAPED_LITERALS.includes(next))
    return { end: at + 2, assertion: false }
  // \0 followed by a digit would be a legacy octal escape.
  if (next === '0' && !/[0-9]/.test(pattern[at + 2] ?? '')) return { end: at + 2, assertion: false }
  const hexDigits = next === 'x' ? 2 : next === 'u' ? 4 : 0
  const hex = pattern.slice(at + 2, at + 2 + hexDigits)
  if (hexDigits > 0 && hex.length === hexDigits && /^[0-9A-Fa-f]+$/.test(hex))
    return { end: at + 2 + hexDigits, assertion: false }
  if (next === 'c' && /[A-Za-z]/.test(pattern[at + 2] ?? ''))
    return { end: at + 3, assertion: false }
  return { reason: `unsupported escape \\${next} at position ${at}; ${ESCAPES}` }
}

/** Reads `[...]` from `at`; returns the index after its `]`. As in JavaScript, the first unescaped `]` closes it, so `[]` is empty. */
const readClass = (pattern: string, at: number): number | string => {
  let i = at + 1
  while (i < pattern.length && pattern[i] !== ']') {
    if (pattern[i] !== '\\') {
      i++
      continue
    }
    const escape = readEscape(pattern, i, true)
    if ('reason' in escape) return escape.reason
    i = escape.end
  }
  return i < pattern.length ? i + 1 : `the character class at position ${at} is never closed`
}

const QUANTIFIER = /[*+?]|\{(\d+)(,(\d*))?\}/y

/** The fewest and most repetitions a quantifier allows. */
const bounds = ([text, min, comma, max]: RegExpExecArray): [number, number] => {
  if (text === '*') return [0, Infinity]
  if (text === '+') return [1, Infinity]
  if (text === '?') return [0, 1]
  const lower = Number(min)
  return [lower, comma === undefined ? lower : max === '' ? Infinity : Number(max)]
}

const TOO_MANY_PATHS = `the alternatives (|) combine into more than ${MAX_ALTERNATIVE_PATHS} ways through the pattern, which can backtrack exponentially; use character classes, or fewer groups of choices in a row`
const MERGE_RUNS = 'merge neighbouring runs into one character class such as [a-z0-9._-]{1,64}'

/** `(`, `(?:` or `(?<name>`; any other `(?` is syntax this module does not vouch for. */
const GROUP_OPENER = /\((?:\?:|\?<[A-Za-z_$][\w$]*>)?/y

const quote = (text: string) => (text.length > 40 ? `${text.slice(0, 37)}...` : text)

/**
 * Why `pattern` may backtrack catastrophically or falls outside the subset this module can vouch
 * for, or undefined when it is safe to run on caller-chosen values.
 * @internal
 */
export const unsafePatternReason = (pattern: string): string | undefined => {
  const stack: Group[] = [
    { start: 0, end: pattern.length, quantified: false, alternated: false, branches: 1 },
  ]
  // What a quantifier here would repeat: nothing (start, `(`, `|`, an assertion, a quantifier), an atom, or a group.
  let previous: 'nothing' | 'atom' | Group = 'nothing'
  let variable = 0
  let paths = 1
  let i = 0
  while (i < pattern.length) {
    const c = pattern[i]!
    const group = stack.at(-1)!
    if (c === '\\') {
      const escape = readEscape(pattern, i, false)
      if ('reason' in escape) return escape.reason
      previous = escape.assertion ? 'nothing' : 'atom'
      i = escape.end
    } else if (c === '[') {
      const end = readClass(pattern, i)
      if (typeof end === 'string') return end
      previous = 'atom'
      i = end
    } else if (c === '(') {
      if (['(?=', '(?!', '(?<=', '(?<!'].some((s) => pattern.startsWith(s, i))) return LOOKAROUND
      GROUP_OPENER.lastIndex = i
      const open = GROUP_OPENER.exec(pattern)![0]
      if (open === '(' && pattern[i + 1] === '?')
        return `unsupported group syntax at position ${i}; use (...), (?:...) or (?<name>...)`
      stack.push({ start: i, end: -1, quantified: false, alternated: false, branches: 1 })
      previous = 'nothing'
      i += open.length
    } else if (c === ')') {
      if (stack.length === 1) return `unmatched ) at position ${i}`
      stack.pop()
      const parent = stack.at(-1)!
      parent.quantified ||= group.quantified
      parent.alternated ||= group.alternated
      group.end = i + 1
      if ((paths *= group.branches) > MAX_ALTERNATIVE_PATHS) return TOO_MANY_PATHS
      previous = group
      i++
    } else if (c === '|') {
      group.alternated = true
      group.branches++
      previous = 'nothing'
      i++
    } else if ('*+?{'.includes(c)) {
      QUANTIFIER.lastIndex = i
      const match = QUANTIFIER.exec(pattern)
      if (!match)
        return `{ at position ${i} does not start a quantifier {n}, {n,} or {n,m}; write \\{ for a literal brace`
      const text = match[0]
      const [lower, upper] = bounds(match)
      if (previous === 'nothing') return `the quantifier ${text} at position ${i} repeats nothing`
      if (upper < lower)
        return `the quantifier ${text} at position ${i} has its numbers out of order`
      if (typeof previous === 'object' && (previous.quantified || previous.alternated)) {
        const inner = quote(pattern.slice(previous.start, previous.end))
        return `the group ${inner} is repeated by ${text} but itself contains ${previous.quantified ? 'a quantifier' : 'an alternation (|)'}, which can backtrack exponentially; ${REPEATED_GROUP}`
      }
      if (upper > lower && ++variable > MAX_VARIABLE_QUANTIFIERS)
        return `more than ${MAX_VARIABLE_QUANTIFIERS} variable-length quantifiers (*, +, ?, {n,}, {n,m}) can backtrack polynomially; ${MERGE_RUNS}`
      group.quantified = true
      previous = 'nothing'
      i += text.length
      // A trailing ? makes the quantifier lazy: the same backtracking, explored in another order.
      if (pattern[i] === '?') i++
    } else if (c === ']' || c === '}') {
      return `a literal ${c} must be escaped as \\${c} (position ${i})`
    } else {
      // ^ and $ are assertions; . and every other character match one character.
      previous = c === '^' || c === '$' ? 'nothing' : 'atom'
      i++
    }
  }
  if (stack.length > 1) return `the group at position ${stack.at(-1)!.start} is never closed`
  if ((paths *= stack[0]!.branches) > MAX_ALTERNATIVE_PATHS) return TOO_MANY_PATHS
  if (paths > 1 && variable + 1 > MAX_VARIABLE_QUANTIFIERS)
    return `more than ${MAX_VARIABLE_QUANTIFIERS} variable-length quantifiers (*, +, ?, {n,}, {n,m}), counting the alternatives (|) as one more, can backtrack polynomially; ${MERGE_RUNS}, or drop the alternatives`
  return undefined
}
