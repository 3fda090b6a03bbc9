import type { SecretRef } from '../config/schema.ts'
import { EXTERNAL_ID_CONDITION_KEY } from '../policy/condition-keys.ts'
import { parsePolicy, type RamPolicy } from '../policy/schema.ts'
import { RAM_PRINCIPAL } from './ram-principal.ts'

/** What a role must trust, and with which ExternalId. @public */
export interface TrustPolicyInput {
  /** The identity that calls AssumeRole on this role: credvend's own, or the hub role before it. */
  readonly trusted: string
  /**
   * The ExternalId the role demands: the value (onboarding, the emulator), or the config's
   * reference, rendered as `{{env:NAME}}` / `{{kmsSecret:NAME}}` for files that must not hold it.
   */
  readonly externalId?: string | SecretRef | undefined
}

const placeholder = (ref: SecretRef) =>
  'env' in ref ? `{{env:${ref.env}}}` : `{{kmsSecret:${ref.kmsSecret}}}`

/**
 * The trust policy a role needs so that exactly one identity — credvend's, or the hub's — may
 * assume it, and only with the profile's ExternalId when it has one (the confused-deputy guard).
 * One renderer for onboarding, the emulator's demo world and infra files, so they cannot drift.
 * The result is parsed again by the RAM grammar before it is returned.
 * @example
 * renderTrustPolicy({ trusted: 'acs:ram::1234567890123456:role/credvend-fc', externalId: 'x7…' })
 * @public
 */
export const renderTrustPolicy = (input: TrustPolicyInput): RamPolicy => {
  if (!RAM_PRINCIPAL.test(input.trusted))
    throw new TypeError(`not a RAM principal ARN: ${input.trusted}`)
  const externalId =
    input.externalId === undefined
      ? undefined
      : typeof input.externalId === 'string'
        ? input.externalId
        : placeholder(input.externalId)
  const policy = {
    Version: '1',
    Statement: [
      {
        Effect: 'Allow',
        Action: 'sts:AssumeRole',
        Principal: { RAM: [input.trusted] },
        ...(externalId === undefined
          ? {}
          : { Condition: { StringEquals: { [EXTERNAL_ID_CONDITION_KEY]: externalId } } }),
      },
    ],
  }
  const parsed = parsePolicy(policy, 'trust')
  if (!parsed.ok)
    throw new TypeError(`rendered trust policy is invalid: ${parsed.problems.join('; ')}`)
  return policy as unknown as RamPolicy
}
