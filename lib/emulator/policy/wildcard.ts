/**
 * RAM's pattern language: `*` is any run of characters (none included), `?` exactly one, every
 * other character literal (https://www.alibabacloud.com/help/en/ram/conditional-operator).
 *
 * Written apart from the product's matcher on purpose, and by a different method (a table over
 * value prefixes, one pattern character at a time, instead of backtracking), so that a bug in
 * either shows up as a disagreement in the differential test instead of passing in both places.
 * The table keeps every pattern linear in the value's length per pattern character: no input can
 * make it blow up the way a naive regex would.
 * @internal
 */
export const globMatch = (pattern: string, value: string): boolean => {
  // reach[j]: the pattern read so far can match exactly the first j units of value.
  let reach: boolean[] = Array.from({ length: value.length + 1 }, (_, j) => j === 0)
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]
    const next: boolean[] = new Array<boolean>(value.length + 1).fill(false)
    if (c === '*') {
      let seen = false
      for (let j = 0; j <= value.length; j++) next[j] = seen ||= reach[j]!
    } else {
      for (let j = 1; j <= value.length; j++)
        next[j] = reach[j - 1]! && (c === '?' || c === value[j - 1])
    }
    reach = next
  }
  return reach[value.length]!
}

/**
 * Action names are compared without regard to case: RAM documents them as case-insensitive
 * (https://www.alibabacloud.com/help/en/ram/policy-elements), so `oss:putobject` is
 * `oss:PutObject`.
 * @internal
 */
export const actionMatches = (pattern: string, action: string): boolean =>
  globMatch(pattern.toLowerCase(), action.toLowerCase())

/**
 * Resources are compared as written. RAM documents no case relaxation for them, and what they
 * name is case-sensitive where it lives: OSS object keys, bucket paths, role names in ARNs.
 * @internal
 */
export const resourceMatches = (pattern: string, resource: string): boolean =>
  globMatch(pattern, resource)
