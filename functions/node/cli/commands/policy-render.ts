import { readFile } from 'node:fs/promises'
import { jwtCallerId, type Caller } from '../../../../lib/auth/caller.ts'
import { MAX_POLICY_BYTES } from '../../../../lib/policy/template.ts'
import { sessionNameFor } from '../../../../lib/vend/session-name.ts'
import { checkDeclared } from '../../../../lib/vend/check-declared.ts'
import { defineCommand } from '../command.ts'
import { UsageError } from '../usage-error.ts'
import { placeholderResolver, readConfigFile } from './config-check.ts'

/**
 * The exact session policy a caller with these claims would get, its size against STS's limit,
 * its hash and the session name — computed by the same code the server runs.
 */
export const policyRenderCommand = defineCommand({
  name: 'policy render',
  summary: 'print the exact session policy a caller would get, and its size',
  usage: 'policy render [--config FILE] --profile P --as CLAIMS.json [--param name=value ...]',
  help: `Prints the session policy a caller with the claims in CLAIMS.json would get from profile P,
its size against STS's 2,048-byte limit, its SHA-256 and the session name, computed by the code the
server runs.

options:
  --config FILE         the config (or CREDVEND_CONFIG)
  --profile P           the profile
  --as CLAIMS.json      the caller's token claims (iss, sub, ...)
  --param name=value    a declared parameter the caller sends (repeatable)
`,
  options: {
    config: { type: 'string' },
    profile: { type: 'string' },
    as: { type: 'string' },
    param: { type: 'string', multiple: true },
  },
  positionals: [0, 0],
  env: { CREDVEND_CONFIG: 'the config, when --config is not given' },
  async run({ values, env }) {
    const configPath = values.config ?? env.CREDVEND_CONFIG
    const profileName = values.profile
    const claimsPath = values.as
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
      (values.param ?? []).map((p) => {
        if (!p.includes('=')) throw new UsageError(`--param takes name=value, got "${p}"`)
        return p.split(/=(.*)/s).slice(0, 2) as [string, string]
      }),
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
  },
})
