import { randomBytes } from 'node:crypto'
import { createApiKey } from '../../../../lib/auth/api-key.ts'
import { envSecretResolver } from '../../../../lib/config/load.ts'
import { toBase64Url } from '../../../../lib/crypto/encoding.ts'
import { checkPartnerRole } from '../../../../lib/partners/partner-check.ts'
import { RAM_PRINCIPAL } from '../../../../lib/partners/ram-principal.ts'
import { renderTrustPolicy } from '../../../../lib/partners/trust-policy.ts'
import { createStsClient } from '../../../../lib/sts/client.ts'
import { ROLE_ARN } from '../../../../lib/sts/schemas.ts'
import { createNodeDeps } from '../../platform/deps.ts'
import { nodeSourceChain } from '../../platform/source-chain.ts'
import { UsageError } from '../usage-error.ts'
import { readConfigFile } from './config-check.ts'

const ID = /^[a-z0-9][a-z0-9-]{0,31}$/

const option = (args: readonly string[], name: string): string | undefined => {
  const i = args.indexOf(name)
  return i === -1 ? undefined : args[i + 1]
}

const envNameFor = (id: string, what: string) =>
  `CREDVEND_PARTNER_${id.toUpperCase().replace(/-/g, '_')}_${what}`

/**
 * `credvend partner init ID --role-arn ARN (--trusted ARN | --config FILE)`: generates the
 * partner's ExternalId (192 bits, server-side — never the partner's choice, so no partner can
 * pick one that another partner's role trusts) and API key, prints them once with the config
 * snippet (references and digests only) and the trust policy the partner's role needs.
 */
const init = async (args: readonly string[], env: NodeJS.ProcessEnv) => {
  const [id] = args
  const roleArn = option(args, '--role-arn')
  const configPath = option(args, '--config')
  if (!id || !ID.test(id) || !roleArn || !ROLE_ARN.test(roleArn)) {
    throw new UsageError(
      'usage: credvend partner init ID --role-arn acs:ram::<partner account>:role/<name> (--trusted ARN | --config FILE)',
    )
  }
  const trusted =
    option(args, '--trusted') ??
    (configPath
      ? (await readConfigFile(configPath, envSecretResolver(env))).config.sourcePrincipal
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
}

/**
 * `credvend partner check ID --config FILE`: the deploy gate. From credvend's own identity (the
 * provider chain, exactly as the server finds it) and through the profile's hubs, AssumeRole on
 * the partner role must be refused without an ExternalId and with a wrong one, and must succeed
 * with the configured one. Exit 0 only then.
 */
const check = async (args: readonly string[], env: NodeJS.ProcessEnv): Promise<number> => {
  const [id] = args
  const configPath = option(args, '--config') ?? env.CREDVEND_CONFIG
  if (!id || !configPath) throw new UsageError('usage: credvend partner check ID --config FILE')
  const loaded = await readConfigFile(configPath, envSecretResolver(env))
  const compiled = loaded.profiles.get(id)
  if (!compiled) throw new UsageError(`partner check: no profile "${id}" in ${configPath}`)
  if (!compiled.externalId) {
    console.log(
      `FAIL ${id}: the profile has no externalId — a cross-account role without one can be reached by anyone who can name it`,
    )
    return 1
  }
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
  for (const step of result.steps)
    console.log(`${step.ok ? 'ok  ' : 'FAIL'} ${step.name}: ${step.detail}`)
  console.log(
    result.ok
      ? `${id}: safe to go live (${compiled.profile.roleArn})`
      : `${id}: NOT safe — fix the role's trust policy (credvend partner init prints the right one)`,
  )
  return result.ok ? 0 : 1
}

/** `credvend partner init|check …` */
export const partnerCommand = async (
  args: readonly string[],
  env: NodeJS.ProcessEnv,
): Promise<number> => {
  const [sub, ...rest] = args
  if (sub === 'init') return init(rest, env).then(() => 0)
  if (sub === 'check') return check(rest, env)
  throw new UsageError(
    'usage: credvend partner init ID … | credvend partner check ID --config FILE',
  )
}
