import type { RoleProfile } from '../config/schema.ts'
import { ossSessionPolicyTemplate } from '../policy/oss-presets.ts'

const VARIABLE = /\$\{[^}]*\}/g

type Statement = Record<string, unknown>

const hasVariable = (value: unknown): boolean => JSON.stringify(value ?? null).includes('${')

/**
 * A role's permission ceiling from its profile's session-policy template: what any caller could
 * be granted, so the role allows at least that and the session policy narrows it per caller.
 * Variables in resources become `*`; conditions that carry variables are dropped (they only narrow
 * per caller); Deny statements stay with the session policy. Undefined when the profile has no
 * template: such a role's policy is written by hand.
 * @public
 */
export const permissionCeiling = (
  profile: RoleProfile,
): { Version: '1'; Statement: Statement[] } | undefined => {
  const template =
    profile.kind === 'oss-upload' ? ossSessionPolicyTemplate(profile) : profile.sessionPolicy
  if (!template) return undefined
  const statements = ((template as { Statement?: Statement[] }).Statement ?? [])
    .filter((s) => s.Effect === 'Allow')
    .map((s) => {
      const { Condition, ...rest } = s
      const out: Statement = { ...rest }
      for (const key of ['Resource', 'NotResource']) {
        if (out[key] !== undefined)
          out[key] = JSON.parse(JSON.stringify(out[key]).replace(VARIABLE, '*'))
      }
      if (Condition !== undefined && !hasVariable(Condition)) out.Condition = Condition
      return out
    })
  return { Version: '1', Statement: statements }
}
