import type { Caller } from '../auth/caller.ts'
import type { LoadedConfig } from '../config/load.ts'
import { isVendError, VendError, type VendErrorCode } from '../errors.ts'
import { substituteChecked, type RenderedPolicy } from '../policy/template.ts'
import { isAllowed } from './allowed.ts'
import { checkDeclared } from './check-declared.ts'
import { sessionNameFor } from './session-name.ts'
import { simulateCaller, type SimulatedCredential } from './simulate-caller.ts'

/** What a simulated caller would be given by one profile. @public */
export interface SimulatedGrant {
  readonly ok: true
  readonly caller: Caller
  readonly kind: 'sts' | 'oss-upload' | 'access-key'
  /** The role assumed; undefined for access-key profiles. */
  readonly roleArn: string | undefined
  /** The exact session policy sent to STS; undefined when the profile has none. */
  readonly policy: RenderedPolicy | undefined
  /** `oss-upload`: the caller's own prefix in the bucket. */
  readonly prefix: string | undefined
  /** Undefined for access-key profiles, and for pseudonymous names when the key is not at hand. */
  readonly sessionName: string | undefined
}

/** Why the server would refuse: its error, and (unlike the server's bare 404) the reason. @public */
export interface SimulatedRefusal {
  readonly ok: false
  /** Undefined when authentication itself refused the caller. */
  readonly caller: Caller | undefined
  readonly error: VendError
  readonly reason: string
}

/** @public */
export type VendSimulation = SimulatedGrant | SimulatedRefusal

const NOT_FOUND = new VendError('ERR_NOT_FOUND', 'not found')

/** Where the server's fixed message leaves a person guessing which part of the config to look at. */
const HINTS: Readonly<Partial<Record<VendErrorCode, string>>> = {
  ERR_AUTH_ISSUER: 'token issuer not trusted: its iss is no issuer in callers.jwt',
}

/**
 * Why the server answers 404 to this caller for this profile, or undefined when it would serve
 * it: the conditions of `vend-service.ts` and `access-key-service.ts`, in their order.
 */
const notFoundReason = (loaded: LoadedConfig, name: string, caller: Caller) => {
  const profile = loaded.profiles.get(name)?.profile ?? loaded.accessKeyProfiles.get(name)
  if (!profile) return `there is no profile "${name}"`
  if (profile.kind === 'access-key' && !loaded.config.exposeInternalRoutes)
    return 'access-key profiles are served only where exposeInternalRoutes is on'
  if (profile.disabled) return `profile ${name} is disabled`
  if (!isAllowed(caller, profile.allow))
    return `no allow rule of profile ${name} admits caller ${caller.id}`
  return undefined
}

/**
 * Runs a caller through what the server does before it calls STS: authentication, the profile's
 * allow rules, the declared parameters, the session policy and the upload prefix, and the session
 * name. Nothing is sent anywhere. A refusal carries the server's error and a reason a person can
 * act on; errors other than the server's own refusals are thrown.
 * @public
 */
export const simulateVend = async (
  loaded: LoadedConfig,
  input: {
    readonly profile: string
    readonly credential: SimulatedCredential
    readonly parameters: Readonly<Record<string, string>>
    readonly now: Date
    /** Whether `loaded` holds the deployment's real sessionNameKey, not a placeholder. */
    readonly realSecrets: boolean
  },
): Promise<VendSimulation> => {
  let caller: Caller | undefined
  try {
    caller = await simulateCaller(loaded, input.credential, input.now)
    const why = notFoundReason(loaded, input.profile, caller)
    if (why !== undefined) return { ok: false, caller, error: NOT_FOUND, reason: why }
    const compiled = loaded.profiles.get(input.profile)
    if (!compiled) {
      if (Object.keys(input.parameters).length > 0)
        throw new VendError('ERR_BAD_REQUEST', 'access-key profiles take no narrowing')
      const common = { roleArn: undefined, policy: undefined, prefix: undefined }
      return { ok: true, caller, kind: 'access-key', ...common, sessionName: undefined }
    }
    const { profile } = compiled
    if (compiled.template) checkDeclared(profile, input.parameters)
    else if (Object.keys(input.parameters).length > 0)
      throw new VendError('ERR_BAD_REQUEST', 'this profile declares no parameters')
    const policy =
      compiled.fixedPolicy ??
      (compiled.renderPolicy ? await compiled.renderPolicy(caller, input.parameters) : undefined)
    const prefix =
      profile.kind === 'oss-upload' && policy
        ? substituteChecked(profile.prefix, policy.values)
        : undefined
    const sessionName =
      profile.sessionName === 'pseudonymous' && !input.realSecrets
        ? undefined
        : await sessionNameFor(caller.id, profile.sessionName, loaded.sessionNameKey)
    return {
      ok: true,
      caller,
      kind: profile.kind,
      roleArn: profile.roleArn,
      policy,
      prefix,
      sessionName,
    }
  } catch (error) {
    if (!isVendError(error)) throw error
    return { ok: false, caller, error, reason: HINTS[error.code] ?? error.message }
  }
}
