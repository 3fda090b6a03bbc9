import type { Config } from './schema.ts'

/**
 * Every claim name the configuration reads: the `claims` of JWT allow rules and the profiles'
 * `claims.NAME` variables (templates may use no other claim). A verified token keeps only these,
 * so what a caller puts in the rest of its token costs nothing after verification.
 * @internal
 */
export const usedClaims = (config: Config): ReadonlySet<string> => {
  const names = new Set<string>()
  for (const profile of Object.values(config.profiles)) {
    for (const rule of profile.allow)
      if ('jwt' in rule) for (const name of Object.keys(rule.claims ?? {})) names.add(name)
    if (profile.kind !== 'access-key')
      for (const variable of Object.keys(profile.variables))
        names.add(variable.slice('claims.'.length))
  }
  return names
}
