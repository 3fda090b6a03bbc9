import { ROLE_ARN } from '../sts/schemas.ts'
import type { Config } from './schema.ts'

/** `<account>/<role name, lowercased>`: RAM role names compare without case. */
const roleKey = (account: string, role: string) => `${account}/${role.toLowerCase()}`

/**
 * Every role credvend hands out sessions of: each profile's role and every hub it passes
 * through. A session of one of these roles is credvend's own output, narrowed by a session
 * policy; it must never come back as a caller identity.
 * @internal
 */
export const vendedRoles = (config: Config): ReadonlyMap<string, string> => {
  const roles = new Map<string, string>()
  for (const [name, profile] of Object.entries(config.profiles)) {
    if (profile.kind === 'access-key') continue
    for (const arn of [profile.roleArn, ...profile.via.map((hop) => hop.roleArn)]) {
      const match = ROLE_ARN.exec(arn)
      if (match && !roles.has(roleKey(match[1]!, match[2]!))) {
        roles.set(roleKey(match[1]!, match[2]!), name)
      }
    }
  }
  return roles
}

/** Whether a signed-login identity is a session of a role credvend vends. @internal */
export const isVendedRole = (
  roles: ReadonlyMap<string, string>,
  identity: { readonly account: string; readonly role: string },
): boolean => roles.has(roleKey(identity.account, identity.role))

/**
 * Role laundering: an `alibaba` allow rule naming a role that credvend itself vends would let a
 * caller holding a narrowed session of that role log in as the role and receive every profile
 * the rule allows, without the narrowing. Refused at load, naming the rule and the profile.
 * @internal
 */
export const launderingProblems = (config: Config, roles: ReadonlyMap<string, string>): string[] =>
  Object.entries(config.profiles).flatMap(([name, profile]) =>
    profile.allow.flatMap((rule, i) => {
      if (!('alibaba' in rule) || rule.alibaba.role === undefined) return []
      const vendedBy = roles.get(roleKey(rule.alibaba.account, rule.alibaba.role))
      if (vendedBy === undefined) return []
      return [
        `profiles.${name}.allow[${i}].alibaba: role ${rule.alibaba.role} is a role credvend vends ` +
          `(profile ${vendedBy}); its narrowed sessions could log in as that role and get this ` +
          `profile unnarrowed. Allow a role credvend never hands out.`,
      ]
    }),
  )
