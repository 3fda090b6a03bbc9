import { wildcardMatch } from './wildcard.ts'

/** Values a request context supplies for condition keys (lowercased key → one or many values). @internal */
export type ConditionContext = ReadonlyMap<string, readonly string[]>

type Test = (patterns: readonly string[], values: readonly string[]) => boolean

const anyOf =
  (match: (pattern: string, value: string) => boolean): Test =>
  (patterns, values) =>
    values.length > 0 && values.some((v) => patterns.some((p) => match(p, v)))

const noneOf =
  (match: (pattern: string, value: string) => boolean): Test =>
  (patterns, values) =>
    !values.some((v) => patterns.some((p) => match(p, v)))

const equals = (p: string, v: string) => p === v
const equalsIgnoreCase = (p: string, v: string) => p.toLowerCase() === v.toLowerCase()
const like = (p: string, v: string) => wildcardMatch(p, v)

/**
 * The operators the evaluator implements: RAM's six string operators and `Bool`. Positive
 * operators are false when the key is absent; negated ones are true (as in AWS; assumed for RAM).
 * @internal
 */
const CONDITION_OPERATORS: Readonly<Record<string, Test>> = {
  StringEquals: anyOf(equals),
  StringNotEquals: noneOf(equals),
  StringEqualsIgnoreCase: anyOf(equalsIgnoreCase),
  StringNotEqualsIgnoreCase: noneOf(equalsIgnoreCase),
  StringLike: anyOf(like),
  StringNotLike: noneOf(like),
  Bool: anyOf(equalsIgnoreCase),
}

/** @internal */
export const isKnownOperator = (name: string): boolean => Object.hasOwn(CONDITION_OPERATORS, name)

/** A parsed Condition block: operator → key → accepted values. @internal */
export type ConditionBlock = Readonly<Record<string, Readonly<Record<string, readonly string[]>>>>

/** Every operator and every key must hold (AND); within a key any value may match (OR). @internal */
export const conditionsHold = (
  block: ConditionBlock | undefined,
  context: ConditionContext,
): boolean => {
  if (!block) return true
  for (const [operator, keys] of Object.entries(block)) {
    const test = CONDITION_OPERATORS[operator]
    if (!test) return false
    for (const [key, patterns] of Object.entries(keys)) {
      if (!test(patterns, context.get(key.toLowerCase()) ?? [])) return false
    }
  }
  return true
}
