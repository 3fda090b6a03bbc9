import {
  EXTERNAL_ID,
  ROLE_ARN,
  ROLE_SESSION_NAME,
  SOURCE_IDENTITY,
  type AssumeRoleInput,
} from './schemas.ts'

const KEYS = new Set([
  'roleArn',
  'roleSessionName',
  'durationSeconds',
  'policy',
  'externalId',
  'sourceIdentity',
])

const matches = (pattern: RegExp, value: unknown): value is string =>
  typeof value === 'string' && pattern.test(value)

const isDuration = (value: unknown): value is number =>
  Number.isSafeInteger(value) && (value as number) >= 900

const isPolicy = (value: unknown): value is string =>
  typeof value === 'string' && value.length >= 1 && value.length <= 2048

/**
 * The AssumeRole input, each field read once, when `assumeRoleInput` would take it as it is: an
 * object (not an array) with no other key, the same patterns, a safe integer of at least 900
 * seconds, a policy of 1–2,048 characters. Undefined for anything else; the zod schema then
 * decides and words the refusal. This only spares a well-formed call the schema on every miss.
 * @internal
 */
export const readAssumeRoleInput = (input: unknown): AssumeRoleInput | undefined => {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return undefined
  // `for…in`, as zod walks a strict object's keys: inherited enumerable keys count too.
  for (const key in input) if (!KEYS.has(key)) return undefined
  const { roleArn, roleSessionName, durationSeconds, policy, externalId, sourceIdentity } =
    input as Record<string, unknown>
  if (
    !matches(ROLE_ARN, roleArn) ||
    !matches(ROLE_SESSION_NAME, roleSessionName) ||
    !(durationSeconds === undefined || isDuration(durationSeconds)) ||
    !(policy === undefined || isPolicy(policy)) ||
    !(externalId === undefined || matches(EXTERNAL_ID, externalId)) ||
    !(sourceIdentity === undefined || matches(SOURCE_IDENTITY, sourceIdentity))
  )
    return undefined
  return { roleArn, roleSessionName, durationSeconds, policy, externalId, sourceIdentity }
}
