import type { Credentials } from '../credentials/types.ts'
import { digestsOf } from '../crypto/digests.ts'
import { isVendError, VendError } from '../errors.ts'
import { callOpenApi, type ReplyParser } from '../openapi/call.ts'
import {
  buildAnonymousRequest,
  prepareSignedCall,
  type BuiltRequest,
  type PreparedCall,
  type SignatureScheme,
} from '../openapi/signed-request.ts'
import type { CoreDeps } from '../runtime/deps.ts'
import { stsErrors } from './errors.ts'
import {
  assumeRoleInput,
  assumeRoleReply,
  assumeRoleWithOidcInput,
  callerIdentityReply,
  type AssumeRoleInput,
  type AssumeRoleResult,
  type AssumeRoleWithOidcInput,
  type CallerIdentity,
} from './schemas.ts'

/** The STS API version every call names. @internal */
export const STS_VERSION = '2015-04-01'

/** @public */
export interface StsClientOptions {
  /** Full URL, e.g. `https://sts.cn-hangzhou.aliyuncs.com` (from config, never from a caller). */
  readonly endpoint: string
  /** Defaults to RPC-HMAC-SHA1, what the official Credentials tools send to STS. */
  readonly signature?: SignatureScheme
  /** Per-call timeout; defaults to 5 s. */
  readonly timeoutMs?: number
  /**
   * Sends through the governor. Taken after signing, and the request goes out in the same turn
   * as the slot is granted, so the governor's spacing is the spacing STS sees even when signing
   * queues behind other crypto work.
   */
  readonly gate?: <T>(send: () => Promise<T>, lane?: string) => Promise<T>
  /** Told of every call that reached STS: its outcome (`ok` or the error code) and latency. */
  readonly observe?: StsCallObserver
}

/** @public */
export interface StsCallObserver {
  readonly elapsedMs: () => number
  readonly call: (action: string, outcome: string, seconds: number) => void
}

/** @public */
export interface StsClient {
  /** `lane` names whose share of the STS budget the call spends (see fair-lanes.ts). */
  assumeRole(source: Credentials, input: AssumeRoleInput, lane?: string): Promise<AssumeRoleResult>
  assumeRoleWithOidc(input: AssumeRoleWithOidcInput): Promise<AssumeRoleResult>
  getCallerIdentity(source: Credentials): Promise<CallerIdentity>
  /** How far STS's clock is ahead of ours, learned from a refused timestamp (0 until then). */
  clockOffsetMs(): number
}

const badInput = (operation: string, issues: readonly { path: PropertyKey[]; message: string }[]) =>
  new VendError(
    'ERR_BAD_REQUEST',
    `invalid ${operation} input: ${issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
  )

/**
 * An STS client over injected fetch, clock, nonce and (when the runtime has them) native digests.
 * Inputs are checked against STS's own limits before anything is sent; replies are checked
 * against their schemas; errors come back as VendError.
 * @example
 * const sts = createStsClient({ endpoint: 'https://sts.cn-hangzhou.aliyuncs.com' }, deps)
 * const { credentials } = await sts.assumeRole(source, { roleArn, roleSessionName: 'jwt.web.alice' })
 * @public
 */
export const createStsClient = (options: StsClientOptions, deps: CoreDeps): StsClient => {
  const endpoint = new URL(options.endpoint)
  if (endpoint.protocol !== 'https:' && endpoint.protocol !== 'http:') {
    throw new TypeError('STS endpoint must be an http(s) URL')
  }
  const scheme = options.signature ?? 'rpc-hmac-sha1'
  const timeoutMs = options.timeoutMs ?? 5_000
  let offsetMs = 0
  const signingTime = () => new Date(deps.now().getTime() + offsetMs)
  const digests = digestsOf(deps.digests)
  // What every AssumeRole (or GetCallerIdentity) shares is worked out once, here.
  const prepare = (action: string) =>
    prepareSignedCall({ endpoint, action, version: STS_VERSION }, scheme, digests)
  const assumeRoleCall = prepare('AssumeRole')
  const callerIdentityCall = prepare('GetCallerIdentity')

  /** Sends through the governor; reports the outcome of what reached STS. */
  const call = async <T>(
    request: BuiltRequest,
    operation: string,
    schema: ReplyParser<T>,
    lane?: string,
  ): Promise<T> => {
    const observe = options.observe
    let startedMs = 0
    const send = () => {
      startedMs = observe?.elapsedMs() ?? 0
      return callOpenApi(deps.fetch, request, { operation, timeoutMs, schema, errors: stsErrors })
    }
    try {
      const reply = await (options.gate ? options.gate(send, lane) : send())
      observe?.call(operation, 'ok', (observe.elapsedMs() - startedMs) / 1000)
      return reply
    } catch (error) {
      const final = corrected(error)
      observe?.call(
        operation,
        isVendError(final) ? final.code : 'ERR_INTERNAL',
        (observe.elapsedMs() - startedMs) / 1000,
      )
      throw final
    }
  }

  /**
   * A skewed host clock makes every call fail with InvalidTimeStamp. Like the AWS SDKs, take
   * STS's own time from that answer's Date header and sign by it from then on; the error is
   * retryable once the offset changed, so this request's retry already succeeds.
   */
  const corrected = (error: unknown): unknown => {
    const server = isVendError(error) ? error.upstream?.serverTimeMs : undefined
    if (!isVendError(error) || server === undefined) return error
    const learned = server - deps.now().getTime()
    const changed = Math.abs(learned - offsetMs) > 1_000
    offsetMs = learned
    return new VendError(
      'ERR_STS_CLOCK_SKEW',
      `STS refused the request time: this host's clock is ${Math.round(-learned / 1000)} s off STS's`,
      {
        upstream: error.upstream!,
        retryable: changed,
      },
    )
  }

  const signed = async <T>(
    source: Credentials,
    prepared: PreparedCall,
    action: string,
    params: Record<string, string>,
    schema: ReplyParser<T>,
    lane?: string,
  ): Promise<T> => {
    const request = await prepared(params, {
      credentials: source,
      now: signingTime(),
      nonce: deps.randomId(),
    })
    return call(request, action, schema, lane)
  }

  return {
    async assumeRole(source, input, lane) {
      const i = checkedAssumeRoleInput(input)
      return signed(
        source,
        assumeRoleCall,
        'AssumeRole',
        compact({
          RoleArn: i.roleArn,
          RoleSessionName: i.roleSessionName,
          DurationSeconds: i.durationSeconds?.toString(),
          Policy: i.policy,
          ExternalId: i.externalId,
          SourceIdentity: i.sourceIdentity,
        }),
        assumeRoleReply,
        lane,
      )
    },

    async assumeRoleWithOidc(input) {
      const parsed = assumeRoleWithOidcInput.safeParse(input)
      if (!parsed.success) throw badInput('AssumeRoleWithOIDC', parsed.error.issues)
      const i = parsed.data
      const params = compact({
        RoleArn: i.roleArn,
        OIDCProviderArn: i.oidcProviderArn,
        OIDCToken: i.oidcToken,
        RoleSessionName: i.roleSessionName,
        DurationSeconds: i.durationSeconds?.toString(),
        Policy: i.policy,
      })
      const request = buildAnonymousRequest(
        { endpoint, action: 'AssumeRoleWithOIDC', version: STS_VERSION, params },
        signingTime(),
      )
      return call(request, 'AssumeRoleWithOIDC', assumeRoleReply)
    },

    getCallerIdentity: (source) =>
      signed(source, callerIdentityCall, 'GetCallerIdentity', {}, callerIdentityReply),
    clockOffsetMs: () => offsetMs,
  }
}

/** The input as the schema reads it, or its refusal as a VendError: nothing malformed is sent. */
const checkedAssumeRoleInput = (input: AssumeRoleInput): AssumeRoleInput => {
  const parsed = assumeRoleInput.safeParse(input)
  if (!parsed.success) throw badInput('AssumeRole', parsed.error.issues)
  return parsed.data
}

const compact = (params: Record<string, string | undefined>): Record<string, string> =>
  Object.fromEntries(
    Object.entries(params).filter((e): e is [string, string] => e[1] !== undefined),
  )
