/**
 * RAM wildcard match: `*` is any run of characters (none included), `?` exactly one; every other
 * character is literal. Iterative with backtracking to the last `*`, so hostile patterns stay
 * linear-ish instead of exploding like a naive regex.
 * @internal
 */
export const wildcardMatch = (pattern: string, value: string, ignoreCase = false): boolean => {
  const p = ignoreCase ? pattern.toLowerCase() : pattern
  const v = ignoreCase ? value.toLowerCase() : value
  let pi = 0
  let vi = 0
  let star = -1
  let resume = 0
  while (vi < v.length) {
    // `*` first: a value may hold a literal `*` (OSS keys can), and consuming the pattern's `*`
    // as that one character would drop the wildcard and its backtracking point.
    if (pi < p.length && p[pi] === '*') {
      star = pi++
      resume = vi
    } else if (pi < p.length && (p[pi] === '?' || p[pi] === v[vi])) {
      pi++
      vi++
    } else if (star !== -1) {
      pi = star + 1
      vi = ++resume
    } else {
      return false
    }
  }
  while (pi < p.length && p[pi] === '*') pi++
  return pi === p.length
}
