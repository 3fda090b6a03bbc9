import { randomBytes } from 'node:crypto'
import { createApiKey } from '../../../../lib/auth/api-key.ts'
import { envSecretResolver } from '../../../../lib/config/load.ts'
import { toBase64Url } from '../../../../lib/crypto/encoding.ts'
import { checkPartnerRole } from '../../../../lib/partners/partner-check.ts'
import { RAM_PRINCIPAL } from '../../../../lib/partners/ram-principal.ts'
import { renderTrustPolicy } from '../../../../lib/partners/trust-policy.ts'
import { createStsClient } from '../../../../lib/sts/client.ts'
import { ROLE_ARN } from '../../../../lib/sts/schemas.ts'
import { ID_PATTERN } from '../../../../lib/config/schema.ts'
import { createNodeDeps } from '../../platform/deps.ts'
import { nodeSourceChain } from '../../platform/source-chain.ts'
import { defineCommand } from '../command.ts'
import { EXIT } from '../exit-codes.ts'
import { UsageError } from '../usage-error.ts'
import { configProblemsAsJson, placeholderResolver, readConfigFile } from '../config-file.ts'

const envNameFor = (id: string, what: string) =>
  `CREDVEND_PARTNER_${id.toUpperCase().replace(/-/g, '_')}_${what}`

/**
 * Generates the partner's ExternalId (192 bits, server-side — never the partner's choice, so no
 * partner can pick one that another partner's role trusts) and API key, prints them once with the
 * config snippet (references and digests only) and the trust policy the partner's role needs.
 */
export const partnerInitCommand = defineCommand({
  name: 'partner init',
  summary: 'onboard a partner: ExternalId, API key, config snippet and trust policy',
  usage: 'partner init ID --role-arn ARN (--trusted ARN | --config FILE)',
  help: `Onboards a partner: a server-generated ExternalId and API key, the config snippet that
refers to them and the trust policy the partner's role needs. Everything is printed once; credvend
stores nothing.

options:
  ID                    the partner's id: lowercase letters, digits and -, at most 32
  --role-arn ARN        the partner's role, acs:ram::<partner account>:role/<name>
  --trusted ARN         the identity the partner's role must trust (credvend's own)
  --config FILE         or take it from the config's sourcePrincipal (no secret is resolved)
`,
  options: {
    'role-arn': { type: 'string' },
    trusted: { type: 'string' },
    config: { type: 'string' },
  },
  positionals: [1, 1],
  async run({ values, positionals }) {
    const id = positionals[0]!
    const roleArn = values['role-arn']
    if (!ID_PATTERN.test(id))
      throw new UsageError(`partner init: ID must be lowercase letters, digits and -, got "${id}"`)
    if (!roleArn || !ROLE_ARN.test(roleArn))
      throw new UsageError(
        'partner init: --role-arn acs:ram::<partner account>:role/<name> is required',
      )
    const trusted =
      values.trusted ??
      (values.config
        ? // Only sourcePrincipal is read: the config's secrets need not be at hand.
          (await readConfigFile(values.config, placeholderResolver)).config.sourcePrincipal
        : undefined)
    if (!trusted || !RAM_PRINCIPAL.test(trusted)) {
      throw new UsageError(
        'partner init: name the identity the partner role must trust: --trusted acs:ram::<account>:role/<name>, or --config FILE with sourcePrincipal set',
      )
    }
    const externalId = `cv-${toBase64Url(new Uint8Array(randomBytes(24)))}`
    const { key, sha256 } = await createApiKey(id, (n) => new Uint8Array(randomBytes(n)))
    const externalIdEnv = envNameFor(id, 'EXTERNAL_ID')
    const keyEnv = envNameFor(id, 'KEY_SHA256')
    const snippet = {
      callers: { apiKeys: [{ id, sha256: [{ env: keyEnv }] }] },
      profiles: {
        [id]: {
          kind: 'sts',
          allow: [{ apiKey: id }],
          roleArn,
          externalId: { env: externalIdEnv },
          sessionName: 'pseudonymous',
          durationSeconds: 3600,
        },
      },
    }
    const indent = (text: string) => text.replace(/^/gm, '    ')
    console.log(`partner ${id} — shown once; nothing here is stored by credvend.\n`)
    console.log(`  for the partner:\n    API key      ${key}\n    ExternalId   ${externalId}\n`)
    console.log(
      `  for credvend's secret store (the config holds only references):\n    ${externalIdEnv}=${externalId}\n    ${keyEnv}=${sha256}\n`,
    )
    console.log(
      `  config (merge into callers and profiles):\n${indent(JSON.stringify(snippet, null, 2))}\n`,
    )
    console.log(
      `  trust policy for ${roleArn} (the partner attaches it to their role):\n${indent(JSON.stringify(renderTrustPolicy({ trusted, externalId }), null, 2))}\n`,
    )
    console.log(`  then, before going live:  credvend partner check ${id} --config FILE`)
  },
})

/**
 * The deploy gate. From credvend's own identity (the provider chain, exactly as the server finds
 * it) and through the profile's hubs, AssumeRole on the partner role must be refused without an
 * ExternalId and with a wrong one, and must succeed with the configured one. Exit 0 only then.
 */
export const partnerCheckCommand = defineCommand({
  name: 'partner check',
  summary: "deploy gate: the partner's role must require the configured ExternalId",
  usage: 'partner check ID [--config FILE] [--json]',
  help: `Calls AssumeRole on the partner profile's role from credvend's own identity: it must be
refused without an ExternalId and with a wrong one, and succeed with the configured one. Exits 0
only then; 3 when STS did not answer (nothing was learned about the role), 1 otherwise. The
config's secrets are resolved (the ExternalId is needed).

options:
  ID                    the partner profile's name
  --config FILE         the config (or CREDVEND_CONFIG)
  --json                print {"ok", "partner", "roleArn", "steps": [{"name", "ok", "detail"}]},
                        with "unreachable": true when STS did not answer; a config that does
                        not load prints {"ok": false, "file", "problems"} (as config check)
`,
  options: { config: { type: 'string' }, json: { type: 'boolean' } },
  positionals: [1, 1],
  env: {
    CREDVEND_CONFIG: 'the config, when --config is not given',
    'ALIBABA_CLOUD_*': "credvend's own identity, found as the server finds it",
  },
  run: configProblemsAsJson(async ({ values, positionals, env }) => {
    const id = positionals[0]!
    const configPath = values.config ?? env.CREDVEND_CONFIG
    if (!configPath) throw new UsageError('partner check: name the config: --config FILE')
    const loaded = await readConfigFile(configPath, envSecretResolver(env))
    const compiled = loaded.profiles.get(id)
    if (!compiled) throw new UsageError(`partner check: no profile "${id}" in ${configPath}`)
    const report = (
      ok: boolean,
      steps: readonly { name: string; ok: boolean; detail: string }[],
      verdict: string,
      unreachable = false,
    ) => {
      if (values.json)
        console.log(
          JSON.stringify({
            ok,
            partner: id,
            roleArn: compiled.profile.roleArn,
            steps,
            ...(unreachable ? { unreachable } : {}),
          }),
        )
      else {
        for (const step of steps)
          console.log(`${step.ok ? 'ok  ' : 'FAIL'} ${step.name}: ${step.detail}`)
        console.log(verdict)
      }
      return ok ? EXIT.ok : unreachable ? EXIT.unreachable : EXIT.failed
    }
    if (!compiled.externalId)
      return report(
        false,
        [
          {
            name: 'externalId configured',
            ok: false,
            detail:
              'the profile has no externalId — a cross-account role without one can be reached by anyone who can name it',
          },
        ],
        `${id}: NOT safe — give the profile an externalId (credvend partner init prints one)`,
      )
    const deps = createNodeDeps({ fetch })
    const { endpoint, signature, timeoutMs } = loaded.config.sts
    const sts = createStsClient({ endpoint, signature, timeoutMs }, deps)
    const source = await nodeSourceChain(env, deps, sts)()
    const result = await checkPartnerRole({
      sts,
      source,
      hops: compiled.hops,
      roleArn: compiled.profile.roleArn,
      externalId: compiled.externalId,
      randomBytes: (n) => new Uint8Array(randomBytes(n)),
    })
    return report(
      result.ok,
      result.steps,
      result.ok
        ? `${id}: safe to go live (${compiled.profile.roleArn})`
        : result.unreachable
          ? `${id}: not checked — STS at ${endpoint} did not answer; check the network path to it (DNS, proxy, firewall) and run again`
          : `${id}: NOT safe — fix the role's trust policy (credvend partner init prints the right one)`,
      result.unreachable,
    )
  }),
})
