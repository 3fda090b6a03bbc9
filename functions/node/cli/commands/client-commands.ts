import { spawn } from 'node:child_process'
import {
  createCredvendClient,
  type VendedCredentials,
} from '../../../../lib/agent/credvend-client.ts'
import { formatTimestamp } from '../../../../lib/signing/timestamp.ts'
import { humanAccounts, startAgent } from '../agent.ts'
import { bearerFrom, credvendUrl, optionValue, optionValues } from '../credvend-auth.ts'
import { UsageError } from '../usage-error.ts'

const AUTH_USAGE = '--url URL [--token-file PATH | --token-env NAME | --api-key-env NAME]'

const oneProfile = (args: readonly string[], usage: string) => {
  const profile = optionValue(args, '--profile')
  if (!profile) throw new UsageError(`usage: ${usage}`)
  return profile
}

const vendOnce = (args: readonly string[], env: NodeJS.ProcessEnv, profile: string) =>
  createCredvendClient({
    url: credvendUrl(args, env),
    profile,
    bearer: bearerFrom(args, env),
    fetch,
    now: () => new Date(),
  }).vend()

/** `credvend agent --url URL --profile P [--profile Q …] [--port N] [auth]` — runs until stopped. */
export const agentCommand = async (args: readonly string[], env: NodeJS.ProcessEnv) => {
  const profiles = optionValues(args, '--profile')
  if (profiles.length === 0)
    throw new UsageError(
      `usage: credvend agent ${AUTH_USAGE} --profile P [--profile Q …] [--port N]`,
    )
  const port = Number(optionValue(args, '--port') ?? '0')
  const agent = await startAgent({
    url: credvendUrl(args, env),
    profiles,
    bearer: bearerFrom(args, env),
    port,
  })
  const others = humanAccounts()
  console.error(
    others.length > 1
      ? `credvend agent: WARNING — this host has ${others.length} user accounts (${others.join(', ')}). Any local process can connect to 127.0.0.1; only the secret path keeps them out. Prefer one agent per user, or credvend exec.`
      : 'credvend agent: any process on this host that learns the URI can read these credentials; keep it in the environment of the programs that need it.',
  )
  for (const [profile, uri] of agent.uris)
    console.log(`${profile}: ALIBABA_CLOUD_CREDENTIALS_URI=${uri}`)
  return new Promise<never>(() => {})
}

/**
 * `credvend exec --profile P [auth] -- CMD …`: the child gets `ALIBABA_CLOUD_CREDENTIALS_URI` at a
 * private agent that lives as long as it does — or, for `access-key` profiles (no SecurityToken,
 * which the URI format requires), the AccessKey variables. The child's exit code is returned.
 */
export const execCommand = async (
  args: readonly string[],
  env: NodeJS.ProcessEnv,
): Promise<number> => {
  const split = args.indexOf('--')
  const own = split === -1 ? args : args.slice(0, split)
  const command = split === -1 ? [] : args.slice(split + 1)
  const profile = oneProfile(own, `credvend exec ${AUTH_USAGE} --profile P -- CMD [ARGS …]`)
  if (command.length === 0) throw new UsageError('credvend exec: give the command after --')
  const first = await vendOnce(own, env, profile)
  // Credentials the parent may hold must not leak into the child beside the ones it is given.
  const childEnv: NodeJS.ProcessEnv = Object.fromEntries(
    Object.entries(env).filter(
      ([k]) => !/^ALIBABA_CLOUD_(ACCESS_KEY|SECURITY_TOKEN|CREDENTIALS_URI|ROLE_ARN|OIDC)/.test(k),
    ),
  )
  let agent: Awaited<ReturnType<typeof startAgent>> | undefined
  if (first.securityToken === undefined) {
    Object.assign(childEnv, {
      ALIBABA_CLOUD_ACCESS_KEY_ID: first.accessKeyId,
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: first.accessKeySecret,
    })
  } else {
    agent = await startAgent({
      url: credvendUrl(own, env),
      profiles: [profile],
      bearer: bearerFrom(own, env),
    })
    childEnv.ALIBABA_CLOUD_CREDENTIALS_URI = agent.uris.get(profile)!
  }
  try {
    return await new Promise<number>((resolve, reject) => {
      const child = spawn(command[0]!, command.slice(1), { env: childEnv, stdio: 'inherit' })
      child.on('error', reject)
      child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1)))
    })
  } finally {
    await agent?.close()
  }
}

/** The CLI's `External` mode output (`process_command`); AccessKey profiles print mode `AK`. */
const processOutput = (c: VendedCredentials) =>
  c.securityToken === undefined
    ? { mode: 'AK', access_key_id: c.accessKeyId, access_key_secret: c.accessKeySecret }
    : {
        mode: 'StsToken',
        access_key_id: c.accessKeyId,
        access_key_secret: c.accessKeySecret,
        sts_token: c.securityToken,
        expiration: formatTimestamp(c.expiration),
      }

/** `credvend process --profile P [auth]` — for `"mode": "External"` profiles of ~/.aliyun/config.json. */
export const processCommand = async (args: readonly string[], env: NodeJS.ProcessEnv) => {
  const profile = oneProfile(args, `credvend process ${AUTH_USAGE} --profile P`)
  console.log(JSON.stringify(processOutput(await vendOnce(args, env, profile))))
}

const shellQuote = (value: string) => `'${value.replace(/'/g, `'\\''`)}'`

const EXPORT_FORMATS = new Set(['env', 'json', 'cli-config'])

/** The three export formats, from one vend. */
const exportAs = (
  format: string,
  c: VendedCredentials,
  profile: string,
  region: string,
): string => {
  if (format === 'env') {
    const vars: Array<[string, string | undefined]> = [
      ['ALIBABA_CLOUD_ACCESS_KEY_ID', c.accessKeyId],
      ['ALIBABA_CLOUD_ACCESS_KEY_SECRET', c.accessKeySecret],
      ['ALIBABA_CLOUD_SECURITY_TOKEN', c.securityToken],
    ]
    return [
      `# credvend profile ${profile}, valid until ${formatTimestamp(c.expiration)}`,
      ...vars.filter(([, v]) => v !== undefined).map(([k, v]) => `export ${k}=${shellQuote(v!)}`),
    ].join('\n')
  }
  if (format === 'json') {
    return JSON.stringify(
      {
        Code: 'Success',
        AccessKeyId: c.accessKeyId,
        AccessKeySecret: c.accessKeySecret,
        ...(c.securityToken ? { SecurityToken: c.securityToken } : {}),
        Expiration: formatTimestamp(c.expiration),
      },
      null,
      2,
    )
  }
  if (format === 'cli-config') {
    const entry =
      c.securityToken === undefined
        ? {
            name: profile,
            mode: 'AK',
            access_key_id: c.accessKeyId,
            access_key_secret: c.accessKeySecret,
          }
        : {
            name: profile,
            mode: 'StsToken',
            access_key_id: c.accessKeyId,
            access_key_secret: c.accessKeySecret,
            sts_token: c.securityToken,
          }
    return JSON.stringify(
      {
        current: profile,
        profiles: [{ ...entry, region_id: region, output_format: 'json', language: 'en' }],
        meta_path: '',
      },
      null,
      4,
    )
  }
  throw new UsageError(`--format must be env, json or cli-config, got ${format}`)
}

/** `credvend export --profile P --format env|json|cli-config [--region R] [auth]` */
export const exportCommand = async (args: readonly string[], env: NodeJS.ProcessEnv) => {
  const profile = oneProfile(
    args,
    `credvend export ${AUTH_USAGE} --profile P --format env|json|cli-config [--region cn-hangzhou]`,
  )
  const format = optionValue(args, '--format') ?? 'env'
  // Checked before calling out, so a typo costs no vend.
  if (!EXPORT_FORMATS.has(format))
    throw new UsageError(`--format must be env, json or cli-config, got ${format}`)
  console.log(
    exportAs(
      format,
      await vendOnce(args, env, profile),
      profile,
      optionValue(args, '--region') ?? 'cn-hangzhou',
    ),
  )
}
