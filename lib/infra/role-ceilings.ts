import type { Config } from '../config/schema.ts'
import type { PolicyDocument } from './policy-document.ts'
import { permissionCeiling } from './permission-ceiling.ts'

/**
 * Each role's permission ceiling as a config implies it, by role ARN: the union of the ceilings of
 * the profiles that assume it, and, where the role is a hub, `sts:AssumeRole` on the next link and
 * nothing else. One function, so what `infra render` writes, what `policy explain` evaluates and
 * what local mode grants the emulator's roles cannot disagree. A role no profile gives a ceiling
 * has no entry: its policy is written by hand, outside the config.
 * @public
 */
export const roleCeilings = (config: Config): Map<string, PolicyDocument> => {
  const ceilings = new Map<string, PolicyDocument>()
  const add = (roleArn: string, statements: PolicyDocument['Statement']) => {
    const seen = ceilings.get(roleArn)
    ceilings.set(roleArn, { Version: '1', Statement: [...(seen?.Statement ?? []), ...statements] })
  }
  const chains = Object.values(config.profiles).flatMap((profile) =>
    profile.kind === 'access-key' ? [] : [profile],
  )
  for (const profile of chains) {
    const ceiling = permissionCeiling(profile)
    if (ceiling) add(profile.roleArn, ceiling.Statement)
  }
  // After every profile's own ceiling, as the rendered files have always listed them.
  for (const profile of chains) {
    const chain = [...profile.via.map((h) => h.roleArn), profile.roleArn]
    chain.slice(0, -1).forEach((hub, i) => {
      add(hub, [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: chain[i + 1] }])
    })
  }
  return ceilings
}
