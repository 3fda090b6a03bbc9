import { globMatch } from './wildcard.ts'

/**
 * The trust-policy condition key STS fills with AssumeRole's `ExternalId`. The emulator keeps its
 * own copy of the name rather than the product's: the product's belief about what RAM calls it is
 * exactly what the emulator is there to check, and the differential test fails if the two differ.
 * @internal
 */
export const EXTERNAL_ID_KEY = 'sts:ExternalId'

/**
 * The condition keys the emulator's RAM knows. A document naming any other key is refused when it
 * is stored, not evaluated with the key ignored: an ignored condition grants more than its author
 * meant, and a test that relied on it would pass here and fail against Alibaba.
 * Key names are matched without regard to case.
 */
const KNOWN_KEYS: ReadonlySet<string> = new Set(
  [
    EXTERNAL_ID_KEY,
    'sts:SourceIdentity',
    'sts:RoleSessionName',
    'acs:SourceIp',
    'acs:SecureTransport',
    'acs:CurrentTime',
    'acs:MFAPresent',
    'acs:SourceVpc',
    'acs:PrincipalARN',
    'oidc:iss',
    'oidc:aud',
    'oidc:sub',
    'saml:recipient',
    'oss:Prefix',
    'oss:Delimiter',
  ].map((key) => key.toLowerCase()),
)

/** @internal */
export const isKnownKey = (key: string): boolean => KNOWN_KEYS.has(key.toLowerCase())

/** @internal */
export const knownKeys = (): string[] => [...KNOWN_KEYS]

/** What a request supplies for condition keys: lowercased key to its values. @internal */
export type RequestContext = ReadonlyMap<string, readonly string[]>

/** A Condition block after parsing: operator to key to the values it accepts. @internal */
export type ConditionMap = Readonly<Record<string, Readonly<Record<string, readonly string[]>>>>

interface Operator {
  readonly same: (expected: string, actual: string) => boolean
  /**
   * Negated operators hold when no supplied value matches, so also when the key is absent;
   * positive ones need a supplied value to match. RAM does not spell out the absent case; this
   * is the reading that never grants on a missing key with a positive operator.
   */
  readonly negated: boolean
}

const exact = (expected: string, actual: string) => expected === actual
const folded = (expected: string, actual: string) => expected.toLowerCase() === actual.toLowerCase()

/**
 * The string operators and `Bool` (https://www.alibabacloud.com/help/en/ram/conditional-operator):
 * `StringLike` takes `*` and `?`, case-sensitive like `StringEquals`.
 */
const OPERATORS: Readonly<Record<string, Operator>> = {
  StringEquals: { same: exact, negated: false },
  StringNotEquals: { same: exact, negated: true },
  StringEqualsIgnoreCase: { same: folded, negated: false },
  StringNotEqualsIgnoreCase: { same: folded, negated: true },
  StringLike: { same: globMatch, negated: false },
  StringNotLike: { same: globMatch, negated: true },
  Bool: { same: folded, negated: false },
}

/** Operator names are matched as written, as the documented names are. @internal */
export const isKnownOperator = (name: string): boolean => Object.hasOwn(OPERATORS, name)

const holds = (operator: Operator, expected: readonly string[], actual: readonly string[]) => {
  const anyMatch = actual.some((a) => expected.some((e) => operator.same(e, a)))
  return operator.negated ? !anyMatch : anyMatch
}

/**
 * Every operator and every key under it must hold; a key holds if any of its values does.
 * An operator the emulator does not know never holds, though parsing refuses it first.
 * @internal
 */
export const conditionsMet = (
  conditions: ConditionMap | undefined,
  context: RequestContext,
): boolean =>
  Object.entries(conditions ?? {}).every(([name, keys]) => {
    const operator = Object.hasOwn(OPERATORS, name) ? OPERATORS[name] : undefined
    return (
      operator !== undefined &&
      Object.entries(keys).every(([key, expected]) =>
        holds(operator, expected, context.get(key.toLowerCase()) ?? []),
      )
    )
  })
