import { formatTimestamp } from '../signing/timestamp.ts'
import type { StsClient } from '../sts/client.ts'
import type { AssumeRoleResult } from '../sts/schemas.ts'
import * as z from '../zod.ts'
import { maskAccessKeyId } from './mask-access-key-id.ts'
import type { CredentialProvider } from './provider.ts'
import { ProviderError } from './provider-error.ts'
import {
  ENV_CLI_PROFILE_DISABLED,
  ENV_CONFIG_FILE,
  fromCliProfile,
} from './providers/cli-profile.ts'
import { ENV_CREDENTIALS_URI, fromCredentialsUri } from './providers/credentials-uri.ts'
import { ENV_ACCESS_KEY_ID, ENV_ACCESS_KEY_SECRET, fromEnv } from './providers/env.ts'
import { fromFcContext } from './providers/fc-context.ts'
import { ENV_CREDENTIALS_FILE, ENV_PROFILE, fromIniFile } from './providers/ini-file.ts'
import { ENV_ECS_METADATA, ENV_ECS_METADATA_DISABLED } from './providers/instance-metadata.ts'
import { isSwitchedOn } from './providers/is-switched-on.ts'
import {
  ENV_OIDC_PROVIDER_ARN,
  ENV_OIDC_TOKEN_FILE,
  ENV_ROLE_ARN,
  fromOidcTokenFile,
  type ReadFile,
} from './providers/oidc-token-file.ts'
import type { ProfileDeps } from './providers/profile-deps.ts'
import type { Credentials } from './types.ts'

/** The places credvend's Node chain looks, in its order (`serverChain`). @public */
export type ChainSource =
  'fc-context' | 'env' | 'oidc' | 'cli-profile' | 'ini-file' | 'ecs-ram-role' | 'credentials-uri'

/**
 * `present`: it would yield credentials. `broken`: configured but unusable, and credvend's chain
 * stops there. `not-probed`: the ECS metadata service, left alone because the chain never reaches it.
 * @public
 */
export type SourceState = 'present' | 'absent' | 'disabled' | 'broken' | 'not-probed'

/** @public */
export interface SourceFinding {
  readonly source: ChainSource
  readonly state: SourceState
  /** What was found, or why not: names, paths, a masked AccessKeyId — never a secret or token. */
  readonly detail: string
  /** The provider's own name for what it found (`cli-profile:default`), as credentials carry it. */
  readonly resolvedAs?: string
  /** What it is, for "… is never read". */
  readonly label: string
  /** Why it is chosen, for "…, so … is never read". */
  readonly reason: string
  /** How to take it out of the chain. */
  readonly turnOff: string
}

/** @public */
export interface ChainExplanation {
  /** Every source in chain order. */
  readonly sources: readonly SourceFinding[]
  /** The source credvend's chain uses, when the first configured one works. */
  readonly winner?: SourceFinding
  /** The broken source the chain stops at, when it comes before any working one. */
  readonly stoppedAt?: SourceFinding
  /** Configured sources after the winner (or the stop), which are never read, and why. */
  readonly shadowed: readonly { readonly finding: SourceFinding; readonly message: string }[]
  /**
   * What the official SDK chain would use where credvend stops: it skips a failing source and
   * goes on (aliyun/credentials-nodejs `src/providers/default.ts`), credvend refuses to.
   */
  readonly officialInstead?: SourceFinding
}

/** @public */
export interface ExplainChainDeps {
  readonly env: Readonly<Record<string, string | undefined>>
  readonly homeDir: string
  readonly readFile: ReadFile
  readonly now: () => Date
  /**
   * The real ECS metadata provider, with a short timeout. Called only when the chain reaches it,
   * so a host with any earlier source never sends a packet to the metadata address.
   */
  readonly instanceMetadata: CredentialProvider
}

/** What one dry run of a provider did: the calls it would make and the files it read. */
interface Trace {
  readonly steps: string[]
  readonly read: Array<{ readonly path: string; readonly text: string }>
  readonly tried: string[]
}

/** Stands in for every credential a dry run would fetch; never shown, never sent. */
const PLACEHOLDER = 'dry-run-placeholder'

const placeholderCredentials = (now: () => Date) => ({
  accessKeyId: PLACEHOLDER,
  accessKeySecret: PLACEHOLDER,
  securityToken: PLACEHOLDER,
  expiration: new Date(now().getTime() + 3_600_000),
})

/**
 * An STS that records the calls a provider would make and answers them with placeholders, so
 * the real providers decide present / absent / broken without anything leaving the host.
 */
const recordingSts = (trace: Trace, now: () => Date, endpoint?: string): StsClient => {
  const at = endpoint ? ` at ${new URL(endpoint).host}` : ''
  const reply = (): AssumeRoleResult => ({
    requestId: PLACEHOLDER,
    assumedRoleUser: { arn: PLACEHOLDER, assumedRoleId: PLACEHOLDER },
    credentials: placeholderCredentials(now),
  })
  return {
    async assumeRole(source, input) {
      const key = source.accessKeyId === PLACEHOLDER ? '' : ` with ${describeKey(source)}`
      trace.steps.push(`AssumeRole ${input.roleArn}${at}${key}`)
      return reply()
    },
    async assumeRoleWithOidc(input) {
      trace.steps.push(`AssumeRoleWithOIDC ${input.roleArn}${at}`)
      return reply()
    },
    getCallerIdentity: () => Promise.reject(new Error('a dry run calls no STS')),
    clockOffsetMs: () => 0,
  }
}

const dryRunDeps = (
  deps: ExplainChainDeps,
  trace: Trace,
): ProfileDeps & { fetch: typeof fetch } => ({
  env: deps.env,
  homeDir: deps.homeDir,
  now: deps.now,
  readFile: async (path) => {
    trace.tried.push(path)
    const text = await deps.readFile(path)
    if (text !== undefined) trace.read.push({ path, text })
    return text
  },
  sts: recordingSts(trace, deps.now),
  regionalSts: (endpoint) => recordingSts(trace, deps.now, endpoint),
  instanceRole: (roleName) => async () => {
    trace.steps.push(`the ECS instance role ${roleName}`)
    return { ...placeholderCredentials(deps.now), source: 'ecs-ram-role' }
  },
  // An External profile's command is the user's program: the explanation names it, never runs it.
  runProcess: async () => {
    trace.steps.push('runs its process_command')
    return JSON.stringify({
      mode: 'AK',
      access_key_id: PLACEHOLDER,
      access_key_secret: PLACEHOLDER,
    })
  },
  // A credentials URI, a CloudSSO portal or an OAuth exchange: named by origin only (a URI's path
  // may be its secret), answered with placeholders in each one's shape.
  fetch: async (url) => {
    trace.steps.push(
      `asks ${new URL(url instanceof Request ? url.url : url).origin} for credentials`,
    )
    const c = placeholderCredentials(deps.now)
    const expiration = formatTimestamp(c.expiration)
    const upper = {
      AccessKeyId: c.accessKeyId,
      AccessKeySecret: c.accessKeySecret,
      SecurityToken: c.securityToken,
      Expiration: expiration,
    }
    return Response.json({
      Code: 'Success',
      ...upper,
      CloudCredential: upper,
      accessKeyId: c.accessKeyId,
      accessKeySecret: c.accessKeySecret,
      securityToken: c.securityToken,
      expiration,
    })
  },
})

const describeKey = (c: Pick<Credentials, 'accessKeyId' | 'securityToken'>) =>
  `key ${maskAccessKeyId(c.accessKeyId)}${c.securityToken ? ' and a security token' : ''}`

/** The calls a source would make, or the key it holds. */
const whatItDoes = (credentials: Credentials, trace: Trace) =>
  trace.steps.length > 0
    ? trace.steps.join(', then ')
    : credentials.accessKeyId === PLACEHOLDER
      ? 'credentials'
      : describeKey(credentials)

const cliFile = z.looseObject({
  profiles: z.array(
    z.looseObject({
      name: z.string(),
      mode: z.optional(z.string()),
      external_id: z.optional(z.unknown()),
    }),
  ),
})

const cliProfileIn = (text: string | undefined, name: string) => {
  try {
    const parsed = cliFile.safeParse(JSON.parse(text ?? ''))
    return parsed.success ? parsed.data.profiles.find((p) => p.name === name) : undefined
  } catch {
    return undefined
  }
}

/**
 * Where the official Node chain parts from credvend on a CLI profile: @alicloud/credentials 2.4.7
 * (dist/src/providers/cli_profile.js) has no CredentialsURI mode, so it passes over the profile,
 * and builds RamRoleArn and ChainableRamRoleArn roles without `external_id`.
 */
const officialCliNote = (
  profile: { mode?: string | undefined; external_id?: unknown } | undefined,
) =>
  profile?.mode === 'CredentialsURI'
    ? '; the official Node SDK has no CredentialsURI mode and passes over this profile'
    : (profile?.mode === 'RamRoleArn' || profile?.mode === 'ChainableRamRoleArn') &&
        profile.external_id
      ? '; the official Node SDK does not send its external_id'
      : ''

/** `cli-profile:default` → `default`. */
const profileName = (resolvedAs: string | undefined) =>
  resolvedAs?.includes(':') ? resolvedAs.slice(resolvedAs.indexOf(':') + 1) : undefined

interface Names {
  readonly label: string
  readonly reason: string
  readonly turnOff: string
}

interface SourceSpec {
  readonly source: ChainSource
  /** An environment switch that turns the source off when `true`. */
  readonly switchedOffBy?: string
  readonly run: (trace: Trace) => Promise<Credentials>
  readonly names: (resolvedAs: string | undefined, trace: Trace) => Names
  readonly detail: (credentials: Credentials, trace: Trace) => string
}

/**
 * Explains credvend's own source chain on this host: each source in the order `serverChain`
 * tries them, whether it is configured, which one wins, and which configured ones it shadows.
 * Every decision comes from the real providers, run dry — their STS calls, instance-role lookups,
 * credentials-URI fetch and External commands recorded instead of made — so the explanation
 * cannot drift from what the chain does. Only the ECS metadata service is really asked, and only
 * when the chain reaches it.
 * @public
 */
export const explainChain = async (deps: ExplainChainDeps): Promise<ChainExplanation> => {
  const { env } = deps
  const shown = (path: string) =>
    path.startsWith(`${deps.homeDir}/`) ? `~${path.slice(deps.homeDir.length)}` : path
  const fileOf = (trace: Trace) => trace.read[0]?.path ?? trace.tried[0] ?? ''
  const profileNames = (kind: string, resolvedAs: string | undefined, trace: Trace): Names => {
    const where = `${shown(fileOf(trace))} profile '${profileName(resolvedAs) ?? '?'}'`
    return {
      label: `your ${where}`,
      reason: `${shown(fileOf(trace))} has ${kind} profile '${profileName(resolvedAs) ?? '?'}'`,
      turnOff: '',
    }
  }
  const uriOrigin = () => {
    try {
      return new URL(env[ENV_CREDENTIALS_URI] ?? '').origin
    } catch {
      return 'not a URL'
    }
  }

  const specs: readonly SourceSpec[] = [
    {
      source: 'fc-context',
      run: () => fromFcContext()(),
      names: () => ({
        label: "Function Compute's context.credentials",
        reason: 'this runs inside a Function Compute invocation',
        turnOff: '',
      }),
      detail: () => 'the invocation context carries credentials',
    },
    {
      source: 'env',
      run: () => fromEnv(env)(),
      names: () => ({
        label: `the AccessKey in ${ENV_ACCESS_KEY_ID}`,
        reason: `${ENV_ACCESS_KEY_ID} is set`,
        turnOff: `unset ${ENV_ACCESS_KEY_ID} and ${ENV_ACCESS_KEY_SECRET}`,
      }),
      detail: (c, trace) => `${ENV_ACCESS_KEY_ID} is set: ${whatItDoes(c, trace)}`,
    },
    {
      source: 'oidc',
      run: (trace) => fromOidcTokenFile(dryRunDeps(deps, trace))(),
      names: () => ({
        label: `the OIDC token in ${ENV_OIDC_TOKEN_FILE}`,
        reason: `${ENV_OIDC_TOKEN_FILE} is set`,
        turnOff: `unset ${ENV_ROLE_ARN}, ${ENV_OIDC_PROVIDER_ARN} and ${ENV_OIDC_TOKEN_FILE}`,
      }),
      detail: (c, trace) =>
        `${ENV_ROLE_ARN}, ${ENV_OIDC_PROVIDER_ARN} and ${ENV_OIDC_TOKEN_FILE} are set: ${whatItDoes(c, trace)}`,
    },
    {
      source: 'cli-profile',
      switchedOffBy: ENV_CLI_PROFILE_DISABLED,
      run: (trace) => fromCliProfile(dryRunDeps(deps, trace))(),
      names: (resolvedAs, trace) => ({
        ...profileNames('CLI', resolvedAs, trace),
        turnOff: `set ${ENV_CLI_PROFILE_DISABLED}=true`,
      }),
      detail: (c, trace) => {
        const name = profileName(c.source) ?? '?'
        const profile = cliProfileIn(trace.read[0]?.text, name)
        const mode = profile?.mode ?? '?'
        const chosenBy = env[ENV_PROFILE] ? `named by ${ENV_PROFILE}` : 'its "current"'
        // The official SDKs always read ~/.aliyun/config.json (credentials-nodejs
        // `src/providers/cli_profile.ts`); only the CLI and credvend honour the variable.
        const official = env[ENV_CONFIG_FILE]
          ? `; the official SDKs ignore ${ENV_CONFIG_FILE} and read ~/.aliyun/config.json`
          : ''
        return `${shown(fileOf(trace))} profile '${name}' (mode ${mode}, ${chosenBy}): ${whatItDoes(c, trace)}${officialCliNote(profile)}${official}`
      },
    },
    {
      source: 'ini-file',
      run: (trace) => fromIniFile(dryRunDeps(deps, trace))(),
      names: (resolvedAs, trace) => ({
        ...profileNames('credentials-file', resolvedAs, trace),
        turnOff: `add "enable = false" to profile '${profileName(resolvedAs) ?? '?'}' in ${shown(fileOf(trace))}`,
      }),
      detail: (c, trace) => {
        // The official SDKs read only ~/.alibabacloud/credentials (credentials-nodejs
        // `src/providers/profile.ts`); the `.ini` spelling is the CLI's and credvend's.
        const official =
          !env[ENV_CREDENTIALS_FILE] && fileOf(trace).endsWith('.ini')
            ? '; the official SDKs do not read the .ini file'
            : ''
        return `${shown(fileOf(trace))} profile '${profileName(c.source) ?? '?'}': ${whatItDoes(c, trace)}${official}`
      },
    },
    {
      source: 'ecs-ram-role',
      switchedOffBy: ENV_ECS_METADATA_DISABLED,
      run: () => deps.instanceMetadata(),
      names: () => ({
        label: 'the ECS instance role',
        reason: "this host's ECS metadata service serves an instance role",
        turnOff: `set ${ENV_ECS_METADATA_DISABLED}=true`,
      }),
      detail: () =>
        `the ECS metadata service answered with credentials for ${env[ENV_ECS_METADATA] ? `role ${env[ENV_ECS_METADATA]}` : 'the instance role'}`,
    },
    {
      source: 'credentials-uri',
      run: (trace) => fromCredentialsUri({ env, fetch: dryRunDeps(deps, trace).fetch })(),
      names: () => ({
        label: `${ENV_CREDENTIALS_URI} (${uriOrigin()})`,
        reason: `${ENV_CREDENTIALS_URI} is set`,
        turnOff: `unset ${ENV_CREDENTIALS_URI}`,
      }),
      // The path may be the secret that guards an agent's credentials: only the origin is shown.
      detail: () => `${ENV_CREDENTIALS_URI} is set (${uriOrigin()}, path not shown)`,
    },
  ]

  const sources: SourceFinding[] = []
  let reached = true
  for (const spec of specs) {
    const finding =
      spec.source === 'ecs-ram-role' && !reached && !isSwitchedOn(env, ENV_ECS_METADATA_DISABLED)
        ? {
            source: spec.source,
            state: 'not-probed' as const,
            detail: 'not probed: the chain stops before it',
            ...spec.names(undefined, emptyTrace()),
          }
        : await evaluate(spec, env, shown)
    if (finding.state === 'present' || finding.state === 'broken') reached = false
    sources.push(finding)
  }

  const first = sources.find((s) => s.state === 'present' || s.state === 'broken')
  const winner = first?.state === 'present' ? first : undefined
  const stoppedAt = first?.state === 'broken' ? first : undefined
  const after = first
    ? sources.slice(sources.indexOf(first) + 1).filter((s) => s.state === 'present')
    : []
  const shadowed = after.map((finding) => ({
    finding,
    message: winner
      ? `${winner.reason}, so ${finding.label} is never read`
      : `credvend stops at the broken ${first!.source} source, so ${finding.label} is never read`,
  }))
  return {
    sources,
    ...(winner ? { winner } : {}),
    ...(stoppedAt ? { stoppedAt } : {}),
    shadowed,
    ...(stoppedAt && after[0] ? { officialInstead: after[0] } : {}),
  }
}

const emptyTrace = (): Trace => ({ steps: [], read: [], tried: [] })

const evaluate = async (
  spec: SourceSpec,
  env: Readonly<Record<string, string | undefined>>,
  shown: (path: string) => string,
): Promise<SourceFinding> => {
  const trace = emptyTrace()
  try {
    const credentials = await spec.run(trace)
    return {
      source: spec.source,
      state: 'present',
      detail: spec.detail(credentials, trace),
      resolvedAs: credentials.source,
      ...spec.names(credentials.source, trace),
    }
  } catch (error) {
    if (!(error instanceof ProviderError))
      return {
        source: spec.source,
        state: 'broken',
        detail: `unexpected failure (${error instanceof Error ? error.name : 'error'})`,
        ...spec.names(undefined, trace),
      }
    const message =
      error.source === spec.source ? error.message.slice(error.source.length + 2) : error.message
    const lookedFor =
      error.tryNextLink && trace.read.length === 0 && trace.tried.length > 0
        ? ` (looked for ${trace.tried.map(shown).join(', ')})`
        : ''
    const switchedOff =
      error.tryNextLink && spec.switchedOffBy !== undefined && isSwitchedOn(env, spec.switchedOffBy)
    return {
      source: spec.source,
      state: switchedOff ? 'disabled' : error.tryNextLink ? 'absent' : 'broken',
      detail: `${message}${lookedFor}`,
      resolvedAs: error.source,
      ...spec.names(error.source, trace),
    }
  }
}
