import { spawn } from 'node:child_process'
import { constants } from 'node:os'
import {
  createCredvendClient,
  type VendedCredentials,
} from '../../../../lib/agent/credvend-client.ts'
import { refusedForBeingAccessKey } from '../../../../lib/agent/refused-for-being-access-key.ts'
import { formatTimestamp } from '../../../../lib/signing/timestamp.ts'
import { humanAccounts, startAgent } from '../agent.ts'
import { prepareCliUriProfiles } from '../cli-uri-profiles.ts'
import {
  AUTH_ENV,
  AUTH_HELP,
  AUTH_OPTIONS,
  AUTH_SYNOPSIS,
  bearerFrom,
  credvendUrl,
  type AuthValues,
} from '../credvend-auth.ts'
import { childEnv, childEnvShellLines, shellQuote } from '../child-env.ts'
import { defineCommand } from '../command.ts'
import { EXIT } from '../exit-codes.ts'
import { createNeutralCredentialsFile } from '../neutral-credentials-file.ts'
import { UsageError } from '../usage-error.ts'

const clientFor = (values: AuthValues, env: NodeJS.ProcessEnv, profile: string) =>
  createCredvendClient({
    url: credvendUrl(values, env),
    profile,
    bearer: bearerFrom(values, env),
    fetch,
    now: () => new Date(),
  })

const vendOnce = (values: AuthValues, env: NodeJS.ProcessEnv, profile: string) =>
  clientFor(values, env, profile).vend()

/** The vend API's own bounds for `durationSeconds` (lib/routes/vend-body.ts). */
const DURATION_MIN_S = 900
const DURATION_MAX_S = 43_200

const DURATION_HELP = `  --duration-seconds N  ask for credentials that last N seconds (${DURATION_MIN_S}-${DURATION_MAX_S}) where the
                        profile allows longer than its default on request; credvend grants
                        at most the profile's maximum
`

const durationFrom = (value: string | undefined): number | undefined => {
  if (value === undefined) return undefined
  const seconds = /^\d+$/.test(value) ? Number(value) : Number.NaN
  if (!(seconds >= DURATION_MIN_S && seconds <= DURATION_MAX_S))
    throw new UsageError(
      `--duration-seconds must be a whole number from ${DURATION_MIN_S} to ${DURATION_MAX_S}, got "${value}"`,
    )
  return seconds
}

/** Waits for the first of the signals that end a long-running command. */
const stopSignal = () =>
  new Promise<NodeJS.Signals>((resolve) => {
    const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const
    const stop = (signal: NodeJS.Signals) => {
      for (const s of signals) process.off(s, stop)
      resolve(signal)
    }
    for (const s of signals) process.on(s, stop)
  })

export const agentCommand = defineCommand({
  name: 'agent',
  summary: "serve profiles' credentials on 127.0.0.1 for ALIBABA_CLOUD_CREDENTIALS_URI",
  usage: `agent ${AUTH_SYNOPSIS} --profile P [--profile Q ...] [--port N] [--duration-seconds N] [--cli-config FILE [--region R]]`,
  help: `Runs until SIGINT, SIGTERM or SIGHUP: a loopback server that hands each STS profile's
credentials to programs that read ALIBABA_CLOUD_CREDENTIALS_URI (the official SDKs' credentials
URI), refreshing each set once half its lifetime has passed or 25 minutes before it expires,
whichever is later. Access-key profiles are refused at start (use exec or process for them).

For each profile it prints the lines a shell needs before starting a program by hand: the URI,
and the official credential chain's earlier sources switched off (the AccessKey, OIDC and profile
variables unset, ALIBABA_CLOUD_CLI_PROFILE_DISABLED and ALIBABA_CLOUD_ECS_METADATA_DISABLED set,
ALIBABA_CLOUD_CREDENTIALS_FILE at an empty file that exists while the agent runs). Without them
a ~/.aliyun/config.json, ~/.alibabacloud/credentials, AccessKey variables or the ECS instance role
take precedence over the URI.

With --cli-config FILE (for the aliyun CLI, ~/.aliyun/config.json) it also writes, once the agent
listens, one aliyun CLI profile per credvend profile, named after it, in mode CredentialsURI with
credentials_uri at this agent: \`aliyun --profile P …\` then fetches the agent's current
credentials on every command and keeps working across refreshes (export --format cli-config
writes keys that die with the token). The agent writes it, rather than export printing it,
because the URI changes with every start and its path is the agent's secret: it never passes
through a command line or shell history. The file gets no key or token, and is written 0600 (a
new file in its place), as anyone who reads the URI can fetch the credentials while the agent
runs. Other profiles in FILE stay as they were; a profile of the same name keeps its region_id,
output_format, language, site and endpoint settings and loses everything else. A new FILE's
current profile is the first --profile. The profile is left in FILE when the agent stops: its URI
then answers nothing, and a new start writes the new one.

options:
${AUTH_HELP}  --profile P           a profile to serve (repeatable)
  --port N              the port to listen on (default: any free port)
${DURATION_HELP}  --cli-config FILE     write CredentialsURI profiles pointing at this agent into FILE
  --region R            region_id of a profile --cli-config creates (default cn-hangzhou)
`,
  options: {
    ...AUTH_OPTIONS,
    profile: { type: 'string', multiple: true },
    port: { type: 'string' },
    'duration-seconds': { type: 'string' },
    'cli-config': { type: 'string' },
    region: { type: 'string' },
  },
  positionals: [0, 0],
  env: AUTH_ENV,
  async run({ values, env }) {
    const profiles = values.profile ?? []
    if (profiles.length === 0) throw new UsageError('agent: name at least one --profile')
    const port = Number(values.port ?? '0')
    if (!Number.isInteger(port) || port < 0 || port > 65_535)
      throw new UsageError(`--port must be a port number, got "${values.port}"`)
    const durationSeconds = durationFrom(values['duration-seconds'])
    const cliConfigPath = values['cli-config']
    if (values.region !== undefined && cliConfigPath === undefined)
      throw new UsageError('--region only sets the region of the profiles --cli-config writes')
    // Read first, so a file that cannot take the profiles costs no vend.
    const cliConfig =
      cliConfigPath === undefined
        ? undefined
        : await prepareCliUriProfiles(cliConfigPath, values.region ?? 'cn-hangzhou')
    const neutral = await createNeutralCredentialsFile('credvend-agent-')
    let agent: Awaited<ReturnType<typeof startAgent>> | undefined
    try {
      agent = await startAgent({
        url: credvendUrl(values, env),
        profiles,
        bearer: bearerFrom(values, env),
        port,
        durationSeconds,
      })
      const others = humanAccounts()
      console.error(
        others.length > 1
          ? `credvend agent: WARNING — this host has ${others.length} user accounts (${others.join(', ')}). Any local process can connect to 127.0.0.1; only the secret path keeps them out. Prefer one agent per user, or credvend exec.`
          : 'credvend agent: any process on this host that learns the URI can read these credentials; keep it in the environment of the programs that need it.',
      )
      for (const [profile, uri] of agent.uris) {
        console.log(`# profile ${profile}: paste into the shell that starts the program`)
        for (const line of childEnvShellLines(neutral.path, {
          ALIBABA_CLOUD_CREDENTIALS_URI: uri,
        }))
          console.log(line)
      }
      if (cliConfig) {
        await cliConfig.write(agent.uris)
        console.log(
          `# aliyun CLI: ${profiles.map((p) => `--profile ${p}`).join(', ')} in ${cliConfigPath} (CredentialsURI)`,
        )
      }
      await stopSignal()
      return EXIT.ok
    } finally {
      await agent?.close()
      await neutral.remove()
    }
  },
})

export const execCommand = defineCommand({
  name: 'exec',
  summary: 'run a program with credentials (a private agent, or AccessKey variables)',
  usage: `exec ${AUTH_SYNOPSIS} --profile P [--duration-seconds N] -- CMD [ARGS ...]`,
  help: `Runs CMD with a profile's credentials and exits with its status, or, as a shell does, 127
when CMD is not found and 126 when it cannot be run. STS profiles reach the child through
ALIBABA_CLOUD_CREDENTIALS_URI at a private agent that lives as long as the child; access-key
profiles (no SecurityToken) through ALIBABA_CLOUD_ACCESS_KEY_ID and _SECRET.

The child sees no other Alibaba credentials: the official credential chain's earlier sources are
switched off for it (the parent's AccessKey, OIDC and profile variables removed,
ALIBABA_CLOUD_CLI_PROFILE_DISABLED and ALIBABA_CLOUD_ECS_METADATA_DISABLED set,
ALIBABA_CLOUD_CREDENTIALS_FILE at an empty file in a private directory removed when exec ends), so
neither ~/.aliyun/config.json, ~/.alibabacloud/credentials nor the ECS instance role shadows
credvend's. Of exec's own credential for credvend, only the environment variables carrying it
are withheld (CREDVEND_API_KEY, CREDVEND_TOKEN_FILE and the variable --api-key-env / --token-env
names): the child runs as the same user, so it can still read a token file, or use this host's
identity, itself. SIGTERM and SIGHUP are passed on to the child.

options:
${AUTH_HELP}  --profile P           the profile to vend
${DURATION_HELP}`,
  options: {
    ...AUTH_OPTIONS,
    profile: { type: 'string' },
    'duration-seconds': { type: 'string' },
  },
  positionals: [0, 0],
  takesRest: true,
  env: AUTH_ENV,
  async run({ values, rest, env }) {
    const profile = values.profile
    if (!profile) throw new UsageError('exec: name the --profile')
    if (rest.length === 0) throw new UsageError('exec: give the command after --')
    const durationSeconds = durationFrom(values['duration-seconds'])
    const client = clientFor(values, env, profile)
    const first = await client.vend({ durationSeconds }).catch(async (error: unknown) => {
      if (durationSeconds !== undefined && (await refusedForBeingAccessKey(client, error)))
        throw new UsageError(
          `--duration-seconds: ${profile} is an access-key profile; its keys take no duration`,
        )
      throw error
    })
    let agent: Awaited<ReturnType<typeof startAgent>> | undefined
    const neutral = await createNeutralCredentialsFile('credvend-exec-')
    try {
      const credentials: Record<string, string> = {}
      if (first.securityToken === undefined) {
        credentials.ALIBABA_CLOUD_ACCESS_KEY_ID = first.accessKeyId
        credentials.ALIBABA_CLOUD_ACCESS_KEY_SECRET = first.accessKeySecret
      } else {
        agent = await startAgent({
          url: credvendUrl(values, env),
          profiles: [profile],
          bearer: bearerFrom(values, env),
          durationSeconds,
        })
        credentials.ALIBABA_CLOUD_CREDENTIALS_URI = agent.uris.get(profile)!
      }
      // The variables that carried exec's own credential to credvend stay behind, so the child
      // does not inherit it by accident; a token file its user can read is not withheld.
      const own = new Set(
        [
          values['token-env'],
          values['api-key-env'],
          'CREDVEND_API_KEY',
          'CREDVEND_TOKEN_FILE',
        ].filter((name): name is string => name !== undefined),
      )
      const parent = Object.fromEntries(Object.entries(env).filter(([name]) => !own.has(name)))
      return await runChild(rest, childEnv(parent, neutral.path, credentials))
    } finally {
      await agent?.close()
      await neutral.remove()
    }
  },
})

/**
 * Runs the child to its end. A terminal's Ctrl-C reaches the child itself (same process group),
 * so SIGINT is only kept from ending exec early; SIGTERM and SIGHUP, often sent to exec alone,
 * are passed on.
 */
const runChild = (command: readonly string[], env: NodeJS.ProcessEnv) =>
  new Promise<number>((resolve, reject) => {
    const child = spawn(command[0]!, command.slice(1), { env, stdio: 'inherit' })
    const ignore = () => {}
    const forward = (signal: NodeJS.Signals) => child.kill(signal)
    process.on('SIGINT', ignore)
    process.on('SIGTERM', forward)
    process.on('SIGHUP', forward)
    const settle = () => {
      process.off('SIGINT', ignore)
      process.off('SIGTERM', forward)
      process.off('SIGHUP', forward)
    }
    child.on('error', (error: NodeJS.ErrnoException) => {
      settle()
      // A missing or unrunnable program is the command line's fault, said as a shell says it.
      const status = error.code === 'ENOENT' ? 127 : error.code === 'EACCES' ? 126 : undefined
      if (status === undefined) return reject(error)
      console.error(
        `credvend exec: ${status === 127 ? 'command not found' : 'permission denied'}: ${command[0]}`,
      )
      resolve(status)
    })
    child.on('exit', (code, signal) => {
      settle()
      resolve(code ?? 128 + (signal ? (constants.signals[signal] ?? 0) : 1))
    })
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
prefer exec or agent, which refresh them. For the aliyun CLI, agent --cli-config FILE writes a
CredentialsURI profile that keeps working across refreshes.

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
