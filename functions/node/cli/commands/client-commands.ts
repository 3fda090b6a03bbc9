import { spawn } from 'node:child_process'
import {
  createCredvendClient,
  type VendedCredentials,
} from '../../../../lib/agent/credvend-client.ts'
import { formatTimestamp } from '../../../../lib/signing/timestamp.ts'
import { humanAccounts, startAgent } from '../agent.ts'
import {
  AUTH_ENV,
  AUTH_HELP,
  AUTH_OPTIONS,
  AUTH_SYNOPSIS,
  bearerFrom,
  credvendUrl,
  type AuthValues,
} from '../credvend-auth.ts'
import { defineCommand } from '../command.ts'
import { UsageError } from '../usage-error.ts'

const vendOnce = (values: AuthValues, env: NodeJS.ProcessEnv, profile: string) =>
  createCredvendClient({
    url: credvendUrl(values, env),
    profile,
    bearer: bearerFrom(values, env),
    fetch,
    now: () => new Date(),
  }).vend()

export const agentCommand = defineCommand({
  name: 'agent',
  summary: "serve profiles' credentials on 127.0.0.1 for ALIBABA_CLOUD_CREDENTIALS_URI",
  usage: `agent ${AUTH_SYNOPSIS} --profile P [--profile Q ...] [--port N]`,
  help: `Runs until stopped: a loopback server that hands each profile's credentials to programs
that read ALIBABA_CLOUD_CREDENTIALS_URI (the official SDKs' credentials URI), refreshing them from
credvend before they expire. Prints one URI per profile.

options:
${AUTH_HELP}  --profile P           a profile to serve (repeatable)
  --port N              the port to listen on (default: any free port)
`,
  options: {
    ...AUTH_OPTIONS,
    profile: { type: 'string', multiple: true },
    port: { type: 'string' },
  },
  positionals: [0, 0],
  env: AUTH_ENV,
  async run({ values, env }) {
    const profiles = values.profile ?? []
    if (profiles.length === 0) throw new UsageError('agent: name at least one --profile')
    const port = Number(values.port ?? '0')
    if (!Number.isInteger(port) || port < 0 || port > 65_535)
      throw new UsageError(`--port must be a port number, got "${values.port}"`)
    const agent = await startAgent({
      url: credvendUrl(values, env),
      profiles,
      bearer: bearerFrom(values, env),
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
  },
})

export const execCommand = defineCommand({
  name: 'exec',
  summary: 'run a program with credentials (a private agent, or AccessKey variables)',
  usage: `exec ${AUTH_SYNOPSIS} --profile P -- CMD [ARGS ...]`,
  help: `Runs CMD with a profile's credentials and exits with its status. STS profiles reach the
child through ALIBABA_CLOUD_CREDENTIALS_URI at a private agent that lives as long as the child;
access-key profiles (no SecurityToken) through ALIBABA_CLOUD_ACCESS_KEY_ID and _SECRET.

options:
${AUTH_HELP}  --profile P           the profile to vend
`,
  options: { ...AUTH_OPTIONS, profile: { type: 'string' } },
  positionals: [0, 0],
  takesRest: true,
  env: AUTH_ENV,
  async run({ values, rest, env }) {
    const profile = values.profile
    if (!profile) throw new UsageError('exec: name the --profile')
    if (rest.length === 0) throw new UsageError('exec: give the command after --')
    const first = await vendOnce(values, env, profile)
    // Credentials the parent may hold must not leak into the child beside the ones it is given.
    const childEnv: NodeJS.ProcessEnv = Object.fromEntries(
      Object.entries(env).filter(
        ([k]) =>
          !/^ALIBABA_CLOUD_(ACCESS_KEY|SECURITY_TOKEN|CREDENTIALS_URI|ROLE_ARN|OIDC)/.test(k),
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
        url: credvendUrl(values, env),
        profiles: [profile],
        bearer: bearerFrom(values, env),
      })
      childEnv.ALIBABA_CLOUD_CREDENTIALS_URI = agent.uris.get(profile)!
    }
    try {
      return await new Promise<number>((resolve, reject) => {
        const child = spawn(rest[0]!, rest.slice(1), { env: childEnv, stdio: 'inherit' })
        child.on('error', reject)
        child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1)))
      })
    } finally {
      await agent?.close()
    }
  },
})

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

export const processCommand = defineCommand({
  name: 'process',
  summary: 'print credentials for an aliyun CLI "External" profile (process_command)',
  usage: `process ${AUTH_SYNOPSIS} --profile P`,
  help: `Prints one vend as the JSON the aliyun CLI's External mode reads from process_command
(mode StsToken, or AK for an access-key profile).

options:
${AUTH_HELP}  --profile P           the profile to vend
`,
  options: { ...AUTH_OPTIONS, profile: { type: 'string' } },
  positionals: [0, 0],
  env: AUTH_ENV,
  async run({ values, env }) {
    if (!values.profile) throw new UsageError('process: name the --profile')
    console.log(JSON.stringify(processOutput(await vendOnce(values, env, values.profile))))
  },
})

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

export const exportCommand = defineCommand({
  name: 'export',
  summary: 'print credentials as shell exports, credentials-URI JSON or ~/.aliyun/config.json',
  usage: `export ${AUTH_SYNOPSIS} --profile P [--format env|json|cli-config] [--region R]`,
  help: `Prints one vend in the chosen format. The credentials end with the vend's Expiration;
prefer exec or agent, which refresh them.

options:
${AUTH_HELP}  --profile P           the profile to vend
  --format F            env (shell exports, the default), json (the credentials-URI JSON)
                        or cli-config (a ~/.aliyun/config.json with one StsToken profile)
  --region R            region_id in cli-config output (default cn-hangzhou)
`,
  options: {
    ...AUTH_OPTIONS,
    profile: { type: 'string' },
    format: { type: 'string' },
    region: { type: 'string' },
  },
  positionals: [0, 0],
  env: AUTH_ENV,
  async run({ values, env }) {
    if (!values.profile) throw new UsageError('export: name the --profile')
    const format = values.format ?? 'env'
    // Checked before calling out, so a typo costs no vend.
    if (!EXPORT_FORMATS.has(format))
      throw new UsageError(`--format must be env, json or cli-config, got ${format}`)
    console.log(
      exportAs(
        format,
        await vendOnce(values, env, values.profile),
        values.profile,
        values.region ?? 'cn-hangzhou',
      ),
    )
  },
})
