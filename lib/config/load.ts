import * as z from '../zod.ts'
import type { ApiKeyRecord } from '../auth/api-key.ts'
import { TEMPLATE_VALUE_PATTERN } from '../auth/caller-alphabet.ts'
import { sha256Hex } from '../crypto/hmac.ts'
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
import { configError, type FoundProblem } from './config-error.ts'
import { joinPath } from './json-path.ts'

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

/** A problem at `path`, placed in the file when the error is built. */
const problem = (path: string, message: string): FoundProblem => ({ path, message })

/** Resolves one reference; a reference that cannot be resolved is a problem at its field. */
const resolveAt = (
  resolve: SecretResolver,
  ref: SecretRef,
  path: string,
  problems: FoundProblem[],
): Promise<string | undefined> =>
  resolve(ref).catch((e: Error) => void problems.push(problem(path, e.message)))

const resolveRedis = async (
  section: NonNullable<Config['redis']>,
  resolve: SecretResolver,
  problems: FoundProblem[],
): Promise<RedisSettings> => {
  const read = (ref: SecretRef | undefined, at: string) =>
    ref ? resolveAt(resolve, ref, `redis.${at}`, problems) : Promise.resolve(undefined)
  const url = await read(section.url, 'url')
  if (typeof url === 'string' && !/^rediss?:\/\/[^\s]+$/.test(url))
    problems.push(problem('redis.url', 'the resolved value is not a redis:// or rediss:// URL'))
  const keys: { id: string; secret: string }[] = []
  for (const [i, key] of section.keys.entries()) {
    const secret = await read(key.secret, `keys[${i}].secret`)
    if (typeof secret === 'string' && secret.length < 32)
      problems.push(
        problem(`redis.keys[${i}].secret`, 'the resolved key is shorter than 32 characters'),
      )
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

const pathOf = (path: readonly PropertyKey[]) =>
  path.reduce<string>(
    (out, p) => (typeof p === 'number' ? `${out}[${p}]` : joinPath(out, String(p))),
    '',
  )

/**
 * One schema issue as problems, with zod's own message (which names what was expected, never
 * the input: the schema is parsed without `reportInput`). An unknown key is reported at itself.
 */
const issueProblems = (issue: z.core.$ZodIssue): FoundProblem[] => {
  const path = pathOf(issue.path)
  if (issue.code === 'unrecognized_keys')
    return issue.keys.map((key) => problem(joinPath(path, key), 'unrecognized key'))
  // A union whose every form wants another type says so, rather than only "Invalid input".
  const branches =
    issue.code === 'invalid_union' && issue.errors.length > 0
      ? new Set(
          issue.errors.map((e) => (e.length === 1 && e[0]!.path.length === 0 ? e[0]!.message : '')),
        )
      : undefined
  const [only] = branches?.size === 1 ? branches : []
  return [problem(path, only || issue.message)]
}

/**
 * A problem another module wrote as one line, `path: message` (a RAM grammar path dotted:
 * `Statement.0.Effect`); a line without that shape is about the path it starts with.
 */
const fromLine = (line: string): FoundProblem => {
  const head = /^(\S*?): /.exec(line)
  if (!head) return problem(/^\S*/.exec(line)![0], line)
  const path = head[1]!.replace(/\.(\d+)(?=[.[]|$)/g, '[$1]')
  return problem(path === '(root)' ? '' : path, line.slice(head[0].length))
}

const compilePattern = (pattern: string, at: string, problems: FoundProblem[]): RegExp => {
  let compiled: RegExp
  try {
    compiled = new RegExp(pattern)
  } catch {
    problems.push(problem(at, 'not a valid regular expression'))
    return /$^/
  }
  // It runs on caller-chosen values: a pattern that could backtrack catastrophically never loads.
  const unsafe = unsafePatternReason(pattern)
  if (unsafe === undefined) return compiled
  problems.push(problem(at, unsafe))
  return /$^/
}

/** The template's minified size with every variable at the longest value a pattern may admit. */
const worstCaseBytes = (template: unknown) =>
  utf8(JSON.stringify(template).replace(/\$\{[^}]*\}/g, 'a'.repeat(128))).length

const resolveExternalId = async (
  ref: SecretRef,
  at: string,
  resolve: SecretResolver,
  problems: FoundProblem[],
): Promise<string | undefined> => {
  const value = await resolveAt(resolve, ref, at, problems)
  if (value === undefined) return undefined
  if (!EXTERNAL_ID.test(value)) {
    problems.push(
      problem(
        at,
        'the resolved value is not a valid ExternalId (2-1224 of letters, digits and =,.@:/-_)',
      ),
    )
    return undefined
  }
  return value
}

/**
 * Renders a policy without variables now: one that cannot fit is a config problem, not a 400 on
 * every vend.
 */
const renderFixed = async (template: CompiledTemplate, at: string, problems: FoundProblem[]) => {
  try {
    return await renderTemplate(template, {})
  } catch (error) {
    problems.push(problem(`${at}.sessionPolicy`, (error as Error).message))
    return undefined
  }
}

/**
 * The checks of a profile's session policy, which need no secret: patterns, the template, and
 * sizes STS would refuse. They run on every profile whose own fields are valid, even while
 * another part of the file is not.
 */
const checkTemplate = (
  name: string,
  profile: RoleProfile,
  problems: FoundProblem[],
): CompiledTemplate | undefined => {
  const at = `profiles.${name}`
  const sessionPolicy =
    profile.kind === 'oss-upload' ? ossSessionPolicyTemplate(profile) : profile.sessionPolicy
  if (!sessionPolicy) return undefined
  const claims = Object.fromEntries(
    Object.entries(profile.variables).map(([k, v]) => [
      k,
      compilePattern(v.pattern, joinPath(`${at}.variables`, k), problems),
    ]),
  )
  const params = Object.fromEntries(
    Object.entries(profile.parameters).map(([k, v]) => [
      `params.${k}`,
      compilePattern(v.pattern, joinPath(`${at}.parameters`, k), problems),
    ]),
  )
  const compiled = compileTemplate(sessionPolicy, {
    claims,
    params,
    callerPattern: new RegExp(TEMPLATE_VALUE_PATTERN),
  })
  if (!compiled.ok && profile.kind === 'sts') {
    for (const line of compiled.problems) {
      const found = fromLine(line)
      // RAM grammar problems read `sessionPolicy: Statement.0.Effect: …`: the inner path is the field.
      const inner = found.path === 'sessionPolicy' ? fromLine(found.message) : undefined
      problems.push(
        inner
          ? problem(`${at}.sessionPolicy${inner.path && `.${inner.path}`}`, inner.message)
          : problem(`${at}.${found.path}`, found.message),
      )
    }
    return undefined
  }
  // A generated policy's problems are its prefix's.
  if (!compiled.ok) {
    const messages = new Set(compiled.problems.map((p) => fromLine(p).message))
    problems.push(...[...messages].map((m) => problem(`${at}.prefix`, m)))
    return undefined
  }
  // Generated policies repeat the prefix: a long static prefix must fail here, not per caller.
  const worst = profile.kind === 'oss-upload' ? worstCaseBytes(sessionPolicy) : 0
  if (worst > MAX_POLICY_BYTES) {
    problems.push(
      problem(
        `${at}.prefix`,
        `the generated policy can reach ${worst} bytes with 128-character values (STS allows ${MAX_POLICY_BYTES}); shorten the prefix or use fewer presets`,
      ),
    )
    return undefined
  }
  // A policy without variables is rendered once at load; one STS would refuse is refused here.
  if (compiled.template.used.size === 0 && worstCaseBytes(sessionPolicy) > MAX_POLICY_BYTES) {
    problems.push(
      problem(`${at}.sessionPolicy`, `the rendered policy exceeds ${MAX_POLICY_BYTES} bytes`),
    )
    return undefined
  }
  return compiled.template
}

const compileProfile = async (
  name: string,
  profile: RoleProfile,
  resolve: SecretResolver,
  problems: FoundProblem[],
  policies: { readonly cache: PolicyCache; readonly id: string },
): Promise<CompiledProfile> => {
  const at = `profiles.${name}`
  const template = checkTemplate(name, profile, problems)
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

const resolveApiKeys = async (
  config: Config,
  resolve: SecretResolver,
  problems: FoundProblem[],
) => {
  const keys = new Map<string, ApiKeyRecord>()
  for (const [i, key] of config.callers.apiKeys.entries()) {
    const digests: string[] = []
    for (const [j, d] of key.sha256.entries()) {
      const at = `callers.apiKeys[${i}].sha256[${j}]`
      const value = typeof d === 'string' ? d : await resolveAt(resolve, d, at, problems)
      if (typeof value === 'string' && !/^[0-9a-f]{64}$/.test(value))
        problems.push(problem(at, 'the resolved value is not a hex SHA-256 digest'))
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
  /** The file as read: problems found later are placed in it by line and column. */
  readonly text: string
  readonly json: unknown
  readonly config: Config
}

const { keyType: PROFILE_NAME, valueType: PROFILE } = configSchema.shape.profiles._zod.def

/**
 * Template checks of a file that failed the schema, on each profile that is valid by itself:
 * the file's problems all come in one run, not the structural ones first.
 */
const partTemplateProblems = (json: unknown): FoundProblem[] => {
  const profiles = (json as { profiles?: unknown } | null)?.profiles
  if (typeof profiles !== 'object' || profiles === null || Array.isArray(profiles)) return []
  const problems: FoundProblem[] = []
  const checked = []
  for (const [name, value] of Object.entries(profiles)) {
    const parsed = z.safeParse(PROFILE, value)
    if (!z.safeParse(PROFILE_NAME, name).success || !parsed.success) continue
    const profile = parsed.data
    if (profile.kind !== 'access-key')
      checked.push({ name, profile, template: checkTemplate(name, profile, problems) })
  }
  problems.push(...sharedResourceProblems(checked).map(fromLine))
  return problems
}

/**
 * The structural half of loading: JSON, then the zod schema, every problem at its field with
 * its line and column. Secrets are not resolved yet; the assembly reads the STS and KMS sections
 * from here to build the clients that resolve `{ kmsSecret }` references.
 * @public
 */
export const parseConfig = async (text: string): Promise<ParsedConfig> => {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    // The parser's own message quotes the text around the error, which may be a secret.
    const { scanJson } = await import('./scan-json.ts')
    const { error = { path: '', at: 0, expected: 'JSON' } } = scanJson(text)
    const { path, at, expected } = error
    throw await configError(text, [{ path, at, message: `not valid JSON: expected ${expected}` }])
  }
  const parsed = configSchema.safeParse(json)
  if (!parsed.success)
    throw await configError(text, [
      ...parsed.error.issues.flatMap(issueProblems),
      ...partTemplateProblems(json),
    ])
  return { text, json, config: parsed.data }
}

/**
 * Loads a configuration file (or one already parsed by `parseConfig`): zod schema, secret
 * references, template compilation. Either everything is valid and a new generation comes back,
 * or a `ConfigError` lists every problem, each at its field's path, line and column, never its
 * value — nothing is half-loaded.
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
  const parsed = typeof text === 'string' ? await parseConfig(text) : text
  const { json, config } = parsed
  const problems: FoundProblem[] = []
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
    ? await resolveAt(resolve, config.sessionNameKey, 'sessionNameKey', problems)
    : undefined
  const login = config.callers.alibaba
  const tokenKeyAt = 'callers.alibaba.sessionTokenKey'
  const sessionTokenKey = login?.enabled
    ? await resolveAt(resolve, login.sessionTokenKey, tokenKeyAt, problems)
    : undefined
  if (typeof sessionTokenKey === 'string' && sessionTokenKey.length < 32)
    problems.push(problem(tokenKeyAt, 'the resolved key is shorter than 32 characters'))
  const redis = config.redis ? await resolveRedis(config.redis, resolve, problems) : undefined
  const roles = vendedRoles(config)
  problems.push(...launderingProblems(config, roles).map(fromLine))
  problems.push(...sharedResourceProblems(profiles.values()).map(fromLine))
  if (problems.length > 0) throw await configError(parsed.text, problems)
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
