import type { Config } from '../config/schema.ts'
import { VendError } from '../errors.ts'
import type { RamPolicy } from '../policy/schema.ts'
import { renderTrustPolicy } from './trust-policy.ts'

/** The trust policy one role of the configuration needs. @public */
export interface RoleTrust {
  readonly roleArn: string
  /** Profiles whose chains pass through or end at this role. */
  readonly profiles: readonly string[]
  readonly policy: RamPolicy
}

/**
 * Every role the configuration assumes, with the trust policy it needs: each link of a profile's
 * chain (`sourcePrincipal` → hubs → the profile's role) trusts exactly the link before it, with
 * that link's ExternalId as a `{{env:…}}` reference. A role reached in two ways that would need
 * different trust policies is a configuration error, not a silent merge.
 * @public
 */
export const trustPoliciesFor = (config: Config): RoleTrust[] => {
  if (!config.sourcePrincipal)
    throw new VendError(
      'ERR_CONFIG_INVALID',
      'sourcePrincipal is not set: trust policies need the identity credvend runs as',
    )
  const byRole = new Map<string, { profiles: string[]; policy: RamPolicy; text: string }>()
  for (const [name, profile] of Object.entries(config.profiles)) {
    if (profile.kind === 'access-key') continue
    const links = [...profile.via, { roleArn: profile.roleArn, externalId: profile.externalId }]
    let trusted = config.sourcePrincipal
    for (const link of links) {
      const policy = renderTrustPolicy({ trusted, externalId: link.externalId })
      const text = JSON.stringify(policy)
      const seen = byRole.get(link.roleArn)
      if (seen && seen.text !== text) {
        throw new VendError(
          'ERR_CONFIG_INVALID',
          `${link.roleArn} would need two different trust policies (profiles ${seen.profiles.join(', ')} and ${name})`,
        )
      }
      if (seen) seen.profiles.push(name)
      else byRole.set(link.roleArn, { profiles: [name], policy, text })
      trusted = link.roleArn
    }
  }
  return [...byRole].map(([roleArn, { profiles, policy }]) => ({ roleArn, profiles, policy }))
}
