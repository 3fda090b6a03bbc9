import type * as z from '../zod.ts'
import type { ApiKeyRecord } from '../auth/api-key.ts'
import { TEMPLATE_VALUE_PATTERN } from '../auth/caller-alphabet.ts'
import { sha256Hex } from '../crypto/hmac.ts'
import { VendError } from '../errors.ts'
import { utf8 } from '../crypto/encoding.ts'
import {
  compileTemplate,
  MAX_POLICY_BYTES,
  renderTemplate,
  type CompiledTemplate,
  type RenderedPolicy,
} from '../policy/template.ts'
import {
  createPolicyCache,
  POLICY_CACHE_ENTRIES,
  POLICY_CACHE_MAX_BYTES,
  policyRenderer,
  type PolicyCache,
  type PolicyRenderer,
} from '../policy/policy-cache.ts'
import { EXTERNAL_ID } from '../sts/schemas.ts'
import { ossSessionPolicyTemplate } from '../policy/oss-presets.ts'
import { unsafePatternReason } from '../policy/safe-pattern.ts'
import {
  configSchema,
  type AccessKeyProfile,
  type Config,
  type RoleProfile,
  type SecretRef,
} from './schema.ts'
import { launderingProblems, vendedRoles } from './vended-roles.ts'
import { sharedResourceProblems } from './shared-resources.ts'

/** Resolves `{ env }` / `{ kmsSecret }` references; throws a one-line reason when it cannot. @public */
export type SecretResolver = (ref: SecretRef) => Promise<string>

/** `{ env }` from an explicit record (the process environment on Node/FC, bindings on Workers). @public */
export const envSecretResolver =
  (env: Readonly<Record<string, string | undefined>>): SecretResolver =>
  async (ref) => {
    if ('kmsSecret' in ref)
      throw new Error('kmsSecret references need a kms section in the config (its endpoint)')
    const value = env[ref.env]
    if (value === undefined || value === '')
      throw new Error(`environment variable ${ref.env} is not set`)
    return value
  }

/** A profile ready to vend: secrets resolved, template compiled, durations settled. @public */
export interface CompiledProfile {
  readonly name: string
  readonly profile: RoleProfile
  readonly template: CompiledTemplate | undefined
  /** A session policy without variables, rendered once when the config loads. */
  readonly fixedPolicy: RenderedPolicy | undefined
  /** A templated one, per caller: renderings are kept for this generation by the values used. */
  readonly renderPolicy: PolicyRenderer | undefined
  readonly externalId: string | undefined
  /** SHA-256 of the ExternalId (or of nothing): what cache keys and logs may carry. */
  readonly externalIdHash: string
  readonly duration: { readonly default: number; readonly max: number }
  /** Hub roles before `roleArn`, ExternalIds resolved. */
  readonly hops: readonly CompiledHop[]
}

/** One intermediate role of a cross-account chain. @public */
export interface CompiledHop {
  readonly roleArn: string
  readonly externalId: string | undefined
  readonly durationSeconds: number
}

/** One loaded configuration generation. @public */
export interface LoadedConfig {
  readonly generation: string
  readonly config: Config
  readonly profiles: ReadonlyMap<string, CompiledProfile>
  /** `access-key` profiles, kept apart: they vend through KMS, not STS. */
  readonly accessKeyProfiles: ReadonlyMap<string, AccessKeyProfile>
  readonly apiKeys: ReadonlyMap<string, ApiKeyRecord>
  readonly sessionNameKey: string | undefined
  /** The HMAC key of credvend session tokens, when signed Alibaba logins are enabled. */
  readonly sessionTokenKey: string | undefined
  /** The shared Redis, secrets resolved; absent when each instance keeps its own state. */
  readonly redis: RedisSettings | undefined
  /** The roles credvend hands sessions of (`vendedRoles`): never a caller identity. */
  readonly vendedRoles: ReadonlyMap<string, string>
}

/** The `redis` section with its references resolved. @public */
export interface RedisSettings {
  readonly url: string
  readonly username: string | undefined
  readonly password: string | undefined
  readonly ca: string | undefined
  readonly servername: string | undefined
  /** The first seals; every one opens. */
  readonly keys: readonly { readonly id: string; readonly secret: string }[]
  readonly keyPrefix: string
  readonly commandTimeoutMs: number
  readonly maxInstances: number
}

const resolveRedis = async (
  section: NonNullable<Config['redis']>,
  resolve: SecretResolver,
  problems: string[],
): Promise<RedisSettings> => {
  const read = (ref: SecretRef | undefined, at: string) =>
    ref
      ? resolve(ref).catch((e: Error) => void problems.push(`redis.${at}: ${e.message}`))
      : Promise.resolve(undefined)
  const url = await read(section.url, 'url')
  if (typeof url === 'string' && !/^rediss?:\/\/[^\s]+$/.test(url))
    problems.push('redis.url: the resolved value is not a redis:// or rediss:// URL')
  const keys: { id: string; secret: string }[] = []
  for (const [i, key] of section.keys.entries()) {
    const secret = await read(key.secret, `keys[${i}].secret`)
    if (typeof secret === 'string' && secret.length < 32)
      problems.push(`redis.keys[${i}].secret: the resolved key is shorter than 32 characters`)
    if (typeof secret === 'string') keys.push({ id: key.id, secret })
  }
  return {
    url: url ?? '',
    username: section.username,
    password: (await read(section.password, 'password')) ?? undefined,
    ca: (await read(section.tls?.ca, 'tls.ca')) ?? undefined,
    servername: section.tls?.servername,
    keys,
    keyPrefix: section.keyPrefix,
    commandTimeoutMs: section.commandTimeoutMs,
    maxInstances: section.maxInstances,
  }
}

/** Field names whose found value is never echoed: they should hold references, and may hold a pasted secret. */
const NEVER_ECHO = new Set([
  'externalId',
  'sha256',
  'sessionNameKey',
  'sessionTokenKey',
  'url',
  'password',
  'secret',
  'ca',
  // A key set may hold a pasted private key; its members are named, never printed.
  'jwks',
])

/** A URL carrying `user:password@`: the password must not reach a terminal or a log. */
const URL_WITH_USERINFO = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*@/i

/**
 * What was found, where it is safe to say: a short scalar. Objects and arrays are named by kind
 * (an unknown key's message already names the key, and its value may be anything, a secret
 * included); secret fields and URLs with credentials are named by kind too.
 */
const describeFound = (issue: z.core.$ZodIssue): string => {
  if (!('input' in issue) || issue.input === undefined) return ''
  const input = issue.input
  if (issue.code === 'unrecognized_keys') return ''
  if (issue.path.some((p) => NEVER_ECHO.has(String(p)))) return ` (found a ${typeof input})`
  if (Array.isArray(input)) return ' (found an array)'
  if (typeof input === 'object' && input !== null) return ' (found an object)'
  if (typeof input === 'string' && URL_WITH_USERINFO.test(input)) {
    return ' (found a URL with credentials in it)'
  }
  const text = JSON.stringify(input) ?? String(input)
  return ` (found ${text.length > 60 ? `${text.slice(0, 57)}...` : text})`
}

const pathOf = (path: readonly PropertyKey[]) =>
  path.reduce<string>(
    (out, p) => (typeof p === 'number' ? `${out}[${p}]` : out ? `${out}.${String(p)}` : String(p)),
    '',
  ) || '(root)'

/** The error config loading throws: one line per problem, path first. @public */
export const configError = (problems: readonly string[]) =>
  Object.assign(
    new VendError(
      'ERR_CONFIG_INVALID',
      `invalid configuration:\n${problems.map((p) => `  ${p}`).join('\n')}`,
    ),
    { problems },
  )

const compilePattern = (pattern: string, at: string, problems: string[]): RegExp => {
  let compiled: RegExp
  try {
    compiled = new RegExp(pattern)
  } catch {
    problems.push(`${at}: not a valid regular expression`)
    return /$^/
  }
  // It runs on caller-chosen values: a pattern that could backtrack catastrophically never loads.
  const unsafe = unsafePatternReason(pattern)
  if (unsafe === undefined) return compiled
  problems.push(`${at}: ${unsafe}`)
  return /$^/
}

/** The template's minified size with every variable at the longest value a pattern may admit. */
const worstCaseBytes = (template: unknown) =>
  utf8(JSON.stringify(template).replace(/\$\{[^}]*\}/g, 'a'.repeat(128))).length

const resolveExternalId = async (
  ref: SecretRef,
  at: string,
  resolve: SecretResolver,
  problems: string[],
): Promise<string | undefined> => {
  const value = await resolve(ref).catch((e: Error) => void problems.push(`${at}: ${e.message}`))
  if (value === undefined) return undefined
  if (!EXTERNAL_ID.test(value)) {
    problems.push(
      `${at}: the resolved value is not a valid ExternalId (2-1224 of letters, digits and =,.@:/-_)`,
    )
    return undefined
  }
  return value
}

/**
 * Renders a policy without variables now: one that cannot fit is a config problem, not a 400 on
 * every vend.
 */
const renderFixed = async (template: CompiledTemplate, at: string, problems: string[]) => {
  try {
    return await renderTemplate(template, {})
  } catch (error) {
    problems.push(`${at}.sessionPolicy: ${(error as Error).message}`)
    return undefined
  }
}

const compileProfile = async (
  name: string,
  profile: RoleProfile,
  resolve: SecretResolver,
  problems: string[],
  policies: { readonly cache: PolicyCache; readonly id: string },
): Promise<CompiledProfile> => {
  const at = `profiles.${name}`
  let template: CompiledTemplate | undefined
  const sessionPolicy =
    profile.kind === 'oss-upload' ? ossSessionPolicyTemplate(profile) : profile.sessionPolicy
  if (sessionPolicy) {
    const claims = Object.fromEntries(
      Object.entries(profile.variables).map(([k, v]) => [
        k,
        compilePattern(v.pattern, `${at}.variables.${k}`, problems),
      ]),
    )
    const params = Object.fromEntries(
      Object.entries(profile.parameters).map(([k, v]) => [
        `params.${k}`,
        compilePattern(v.pattern, `${at}.parameters.${k}`, problems),
      ]),
    )
    const compiled = compileTemplate(sessionPolicy, {
      claims,
      params,
      callerPattern: new RegExp(TEMPLATE_VALUE_PATTERN),
    })
    if (!compiled.ok && profile.kind === 'sts')
      problems.push(...compiled.problems.map((p) => `${at}.${p}`))
    // A generated policy's problems are its prefix's.
    else if (!compiled.ok)
      problems.push(
        ...new Set(compiled.problems.map((p) => `${at}.prefix${p.slice(p.indexOf(':'))}`)),
      )
    else {
      // Generated policies repeat the prefix: a long static prefix must fail here, not per caller.
      const worst = profile.kind === 'oss-upload' ? worstCaseBytes(sessionPolicy) : 0
      if (worst > MAX_POLICY_BYTES)
        problems.push(
          `${at}.prefix: the generated policy can reach ${worst} bytes with 128-character values (STS allows ${MAX_POLICY_BYTES}); shorten the prefix or use fewer presets`,
        )
      else template = compiled.template
    }
  }
  const externalId = profile.externalId
    ? await resolveExternalId(profile.externalId, `${at}.externalId`, resolve, problems)
    : undefined
  const hops: CompiledHop[] = []
  for (const [i, hop] of profile.via.entries()) {
    const hopId = hop.externalId
      ? await resolveExternalId(hop.externalId, `${at}.via[${i}].externalId`, resolve, problems)
      : undefined
    hops.push({ roleArn: hop.roleArn, externalId: hopId, durationSeconds: hop.durationSeconds })
  }
  const fixed = template?.used.size === 0
  const d = profile.durationSeconds
  return {
    name,
    profile,
    template,
    fixedPolicy: template && fixed ? await renderFixed(template, at, problems) : undefined,
    renderPolicy:
      template && !fixed ? policyRenderer(template, policies.cache, policies.id) : undefined,
    externalId,
    // Every ExternalId on the way: a changed hub ExternalId must not reuse cached credentials.
    externalIdHash: await sha256Hex(
      JSON.stringify([externalId ?? '', ...hops.map((h) => h.externalId ?? '')]),
    ),
    hops,
    duration: typeof d === 'number' ? { default: d, max: d } : d,
  }
}

const resolveApiKeys = async (config: Config, resolve: SecretResolver, problems: string[]) => {
  const keys = new Map<string, ApiKeyRecord>()
  for (const [i, key] of config.callers.apiKeys.entries()) {
    const digests: string[] = []
    for (const [j, d] of key.sha256.entries()) {
      const value =
        typeof d === 'string'
          ? d
          : await resolve(d).catch(
              (e: Error) => void problems.push(`callers.apiKeys[${i}].sha256[${j}]: ${e.message}`),
            )
      if (typeof value === 'string' && !/^[0-9a-f]{64}$/.test(value))
        problems.push(
          `callers.apiKeys[${i}].sha256[${j}]: the resolved value is not a hex SHA-256 digest`,
        )
      else if (typeof value === 'string') digests.push(value)
    }
    keys.set(key.id, {
      id: key.id,
      digests,
      expiresAtMs: key.expires ? Date.parse(key.expires) : undefined,
      disabled: key.disabled,
    })
  }
  return keys
}

/** A config file that passed the schema, its secrets not yet resolved. @public */
export interface ParsedConfig {
  readonly json: unknown
  readonly config: Config
}

/**
 * The structural half of loading: JSON, then the zod schema, with every problem on its own line.
 * Secrets are not resolved yet; the assembly reads the STS and KMS sections from here to build the
 * clients that resolve `{ kmsSecret }` references.
 * @public
 */
export const parseConfig = (text: string): ParsedConfig => {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (e) {
    throw configError([
      `(file): not valid JSON (${e instanceof Error ? e.message.split('\n')[0] : 'parse error'})`,
    ])
  }
  const parsed = configSchema.safeParse(json, { reportInput: true })
  if (!parsed.success)
    throw configError(
      parsed.error.issues.map((i) => `${pathOf(i.path)}: ${i.message}${describeFound(i)}`),
    )
  return { json, config: parsed.data }
}

/**
 * Loads a configuration file (or one already parsed by `parseConfig`): zod schema, secret
 * references, template compilation. Either
 * everything is valid and a new generation comes back, or an error lists every problem, one per
 * line with its path — nothing is half-loaded.
 * @example
 * const loaded = await loadConfig(configText, envSecretResolver(environment))
 * @public
 */
export const loadConfig = async (
  text: string | ParsedConfig,
  baseResolve: SecretResolver,
  options: {
    /** Reads a KMS secret's value, given the parsed config (whose `kms` section names the endpoint). */
    readonly kmsSecret?: (config: Config) => ((name: string) => Promise<string>) | undefined
  } = {},
): Promise<LoadedConfig> => {
  const { json, config } = typeof text === 'string' ? parseConfig(text) : text
  const problems: string[] = []
  const readKms = options.kmsSecret?.(config)
  // `{ kmsSecret }` goes to KMS when the entry can reach it; everything else to the base resolver.
  const resolve: SecretResolver = (ref) =>
    'kmsSecret' in ref && readKms ? readKms(ref.kmsSecret) : baseResolve(ref)
  const profiles = new Map<string, CompiledProfile>()
  const accessKeyProfiles = new Map<string, AccessKeyProfile>()
  // Sized like the token cache: at least one rendering per cached session.
  const renderings = Math.max(POLICY_CACHE_ENTRIES, config.cache.maxEntries)
  const policyCache = createPolicyCache(
    renderings,
    Math.ceil((POLICY_CACHE_MAX_BYTES * renderings) / POLICY_CACHE_ENTRIES),
  )
  for (const [name, profile] of Object.entries(config.profiles)) {
    if (profile.kind === 'access-key') accessKeyProfiles.set(name, profile)
    else {
      const policies = { cache: policyCache, id: String(profiles.size) }
      profiles.set(name, await compileProfile(name, profile, resolve, problems, policies))
    }
  }
  const apiKeys = await resolveApiKeys(config, resolve, problems)
  const sessionNameKey = config.sessionNameKey
    ? await resolve(config.sessionNameKey).catch(
        (e: Error) => void problems.push(`sessionNameKey: ${e.message}`),
      )
    : undefined
  const login = config.callers.alibaba
  const sessionTokenKey = login?.enabled
    ? await resolve(login.sessionTokenKey).catch(
        (e: Error) => void problems.push(`callers.alibaba.sessionTokenKey: ${e.message}`),
      )
    : undefined
  if (typeof sessionTokenKey === 'string' && sessionTokenKey.length < 32)
    problems.push('callers.alibaba.sessionTokenKey: the resolved key is shorter than 32 characters')
  const redis = config.redis ? await resolveRedis(config.redis, resolve, problems) : undefined
  const roles = vendedRoles(config)
  problems.push(...launderingProblems(config, roles))
  problems.push(...sharedResourceProblems(profiles.values()))
  if (problems.length > 0) throw configError(problems)
  const secretsDigest = await sha256Hex(
    JSON.stringify([
      [...profiles.values()].map((p) => p.externalIdHash),
      [...apiKeys.values()].map((k) => k.digests),
      sessionNameKey ?? '',
      sessionTokenKey ?? '',
    ]),
  )
  // The redis section changes no rule, so it stays out of the generation: rotating a sealing key
  // must not turn every cached credential into a miss.
  const { redis: _redis, ...rules } = json as Record<string, unknown>
  const generation = (await sha256Hex(`${JSON.stringify(rules)}\n${secretsDigest}`)).slice(0, 16)
  return {
    generation,
    config,
    profiles,
    accessKeyProfiles,
    apiKeys,
    sessionNameKey: sessionNameKey ?? undefined,
    sessionTokenKey: sessionTokenKey ?? undefined,
    redis,
    vendedRoles: roles,
  }
}
