import { readFile } from 'node:fs/promises'
import { jwtCallerId, type Caller } from '../../../../lib/auth/caller.ts'
import { MAX_POLICY_BYTES } from '../../../../lib/policy/template.ts'
import { sessionNameFor } from '../../../../lib/vend/session-name.ts'
import { checkDeclared } from '../../../../lib/vend/check-declared.ts'
import { UsageError } from '../usage-error.ts'
import { placeholderResolver, readConfigFile } from './config-check.ts'

const option = (args: readonly string[], name: string) => {
  const i = args.indexOf(name)
  return i >= 0 ? args[i + 1] : undefined
}

/**
 * `credvend policy render --config FILE --profile P --as CLAIMS.json [--param k=v …]`: the exact
 * session policy a caller with these claims would get, its size against STS's limit, its hash and
 * the session name — computed by the same code the server runs.
 */
export const policyRenderCommand = async (args: readonly string[], env: NodeJS.ProcessEnv) => {
  const configPath = option(args, '--config') ?? env.CREDVEND_CONFIG
  const profileName = option(args, '--profile')
  const claimsPath = option(args, '--as')
  if (!configPath || !profileName || !claimsPath) {
    throw new UsageError(
      'usage: credvend policy render --config FILE --profile P --as CLAIMS.json [--param name=value ...]',
    )
  }
  const loaded = await readConfigFile(configPath, placeholderResolver)
  const compiled = loaded.profiles.get(profileName)
  if (!compiled) throw new UsageError(`no profile "${profileName}" in ${configPath}`)
  const claims = JSON.parse(await readFile(claimsPath, 'utf8')) as Record<string, unknown>
  const sub = typeof claims.sub === 'string' ? claims.sub : 'unknown'
  const issuer =
    loaded.config.callers.jwt.find((j) => j.issuer === claims.iss) ??
    loaded.config.callers.jwt.find((j) =>
      compiled.profile.allow.some((r) => 'jwt' in r && r.jwt === j.id),
    )
  const caller: Caller = issuer
    ? { id: await jwtCallerId(issuer.id, sub), kind: 'jwt', authority: issuer.id, sub, claims }
    : { id: `key.${sub}`, kind: 'apiKey', authority: sub, sub, claims: {} }
  const params = Object.fromEntries(
    args.flatMap((a, i) =>
      a === '--param' && args[i + 1]?.includes('=')
        ? [args[i + 1]!.split(/=(.*)/s).slice(0, 2) as [string, string]]
        : [],
    ),
  )
  const sessionName = await sessionNameFor(
    caller.id,
    compiled.profile.sessionName,
    loaded.sessionNameKey,
  )
  if (!compiled.template) {
    console.log(
      `profile ${profileName}: no session policy (the role's own permissions apply)\nsession name: ${sessionName}`,
    )
    return
  }
  // The server's own path: declared parameters, then the load-time or per-caller rendering.
  checkDeclared(compiled.profile, params)
  const rendered = compiled.fixedPolicy ?? (await compiled.renderPolicy!(caller, params))
  const { bytes } = rendered
  console.log(rendered.text)
  console.log(
    `size: ${bytes} of ${MAX_POLICY_BYTES} bytes (${Math.round((bytes / MAX_POLICY_BYTES) * 100)}%)`,
  )
  console.log(`sha256: ${rendered.sha256}`)
  console.log(`caller.id: ${caller.id}\nsession name: ${sessionName}`)
}
