import type { AllowRule } from './schema.ts'
import { patternsIntersect } from '../policy/patterns-intersect.ts'

const IDENTITY_VARIABLE = /\$\{(caller\.(?:id|sub)|claims\.[A-Za-z0-9_]+)\}/g
const HAS_IDENTITY = new RegExp(IDENTITY_VARIABLE.source)
/**
 * An ARN's colons: service, region and account hold none, and neither does an object key that
 * the generated OSS policies allow (they deny keys with `:`, which a `*` in another caller's
 * region or account field could otherwise absorb). Operator-written templates over keys with `:`
 * should deny them the same way.
 */
const ARN_COLONS = 4

/**
 * Who vouches for a value. `caller.id` is qualified by how and by whom the caller was
 * authenticated, so it is one namespace for everyone; `caller.sub` and `claims.*` are only unique
 * within the authority that issued them: a JWT issuer, the set of API keys (whose ids are unique
 * among themselves), or one Alibaba account.
 */
const authorityOf = (rule: AllowRule): string =>
  'jwt' in rule
    ? `JWT issuer ${rule.jwt}`
    : 'apiKey' in rule
      ? 'API keys'
      : `Alibaba account ${rule.alibaba.account}`

/** What the check reads of a compiled profile (kept structural: load.ts calls this). */
interface ProfileTemplate {
  readonly name: string
  readonly profile: { readonly allow: readonly AllowRule[] }
  readonly template: { readonly source: unknown } | undefined
}

/** One identity-bearing template string as one authority's callers would render it. */
interface Rendering {
  readonly profile: string
  readonly text: string
  /** Equal namespaces mean the same principal renders the same value. */
  readonly namespace: string
  readonly authority: string
  /** Only strings of one group compare: resources, or condition values on the same resources. */
  readonly group: string
}

const strings = (node: unknown): string[] =>
  typeof node === 'string'
    ? [node]
    : Array.isArray(node)
      ? node.flatMap(strings)
      : typeof node === 'object' && node !== null
        ? Object.values(node).flatMap(strings)
        : []

/** The identity-bearing strings of a policy template's Allow statements, grouped. */
const valueStrings = (template: unknown): Array<{ text: string; group: string }> =>
  ((template as { Statement?: unknown[] }).Statement ?? []).flatMap((statement) => {
    const s = (statement ?? {}) as Record<string, unknown>
    // Deny statements only ever take away; what two callers could share is what is allowed.
    if (s.Effect !== 'Allow') return []
    const resources = strings(s.Resource)
    const onResources = `condition on ${JSON.stringify([...resources].sort())}`
    return [
      ...resources.map((text) => ({ text, group: 'resource' })),
      ...strings(s.Condition).map((text) => ({ text, group: onResources })),
    ].filter(({ text }) => HAS_IDENTITY.test(text))
  })

const renderingsOf = (compiled: ProfileTemplate): Rendering[] => {
  if (!compiled.template) return []
  const authorities = [...new Set(compiled.profile.allow.map(authorityOf))]
  return valueStrings(compiled.template.source).flatMap(({ text, group }) => {
    const variables = [...text.matchAll(IDENTITY_VARIABLE)].map((m) => m[1]!)
    return authorities.map((authority) => ({
      profile: compiled.name,
      text,
      authority,
      group,
      // Only `caller.id` on its own is globally unique; anything else is scoped by its issuer,
      // and a `sub` may even spell out another caller's id.
      namespace: variables.every((v) => v === 'caller.id')
        ? 'caller.id'
        : `${variables.join('+')} of ${authority}`,
    }))
  })
}

/**
 * Two different principals must never render the same resource. A `${caller.sub}` or
 * `${claims.NAME}` is unique only within its issuer: a profile admitting two issuers (or an
 * issuer and API keys), or two profiles of different issuers over the same resources, would give
 * alice of one and alice of the other the same prefix. Refused at load, naming both sides; every
 * pair of identity-bearing strings in different namespaces is checked for a common match.
 * @internal
 */
export const sharedResourceProblems = (profiles: Iterable<ProfileTemplate>): string[] => {
  const renderings = [...profiles].flatMap(renderingsOf)
  const problems = new Set<string>()
  for (const [i, a] of renderings.entries()) {
    for (const b of renderings.slice(i + 1)) {
      if (a.namespace === b.namespace || a.group !== b.group) continue
      if (!patternsIntersect(a.text, b.text, ARN_COLONS)) continue
      const where =
        a.profile === b.profile
          ? `profiles.${a.profile}: admits ${a.authority} and ${b.authority}`
          : `profiles.${a.profile} (${a.authority}) and profiles.${b.profile} (${b.authority})`
      problems.add(
        `${where}, and "${a.text}" and "${b.text}" can render the same resource for two ` +
          `different callers (${a.namespace} / ${b.namespace}). Use \${caller.id}, which names ` +
          `the issuer, or keep the profiles' resources apart.`,
      )
    }
  }
  return [...problems]
}
