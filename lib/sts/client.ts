import type { Credentials } from '../credentials/types.ts'
import { VendError } from '../errors.ts'
import { callOpenApi } from '../openapi/call.ts'
import {
  buildAnonymousRequest,
  buildSignedRequest,
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
}

/** @public */
export interface StsClient {
  assumeRole(source: Credentials, input: AssumeRoleInput): Promise<AssumeRoleResult>
  assumeRoleWithOidc(input: AssumeRoleWithOidcInput): Promise<AssumeRoleResult>
  getCallerIdentity(source: Credentials): Promise<CallerIdentity>
}

const badInput = (operation: string, issues: readonly { path: PropertyKey[]; message: string }[]) =>
  new VendError(
    'ERR_BAD_REQUEST',
    `invalid ${operation} input: ${issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
  )

/**
 * An STS client over injected fetch, clock and nonce. Inputs are checked against STS's own
 * limits before anything is sent; replies are parsed with zod; errors come back as VendError.
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

  const signed = async <S extends Parameters<typeof callOpenApi>[2]['schema']>(
    source: Credentials,
    action: string,
    params: Record<string, string>,
    schema: S,
  ) => {
    const request = await buildSignedRequest(
      { endpoint, action, version: STS_VERSION, params },
      { credentials: source, scheme, now: deps.now(), nonce: deps.randomId() },
    )
    return callOpenApi(deps.fetch, request, { operation: action, timeoutMs, schema, errors: stsErrors })
  }

  return {
    async assumeRole(source, input) {
      const parsed = assumeRoleInput.safeParse(input)
      if (!parsed.success) throw badInput('AssumeRole', parsed.error.issues)
      const i = parsed.data
      return signed(source, 'AssumeRole', compact({
        RoleArn: i.roleArn,
        RoleSessionName: i.roleSessionName,
        DurationSeconds: i.durationSeconds?.toString(),
        Policy: i.policy,
        ExternalId: i.externalId,
        SourceIdentity: i.sourceIdentity,
      }), assumeRoleReply)
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
        deps.now(),
      )
      return callOpenApi(deps.fetch, request, {
        operation: 'AssumeRoleWithOIDC',
        timeoutMs,
        schema: assumeRoleReply,
        errors: stsErrors,
      })
    },

    getCallerIdentity: (source) => signed(source, 'GetCallerIdentity', {}, callerIdentityReply),
  }
}

const compact = (params: Record<string, string | undefined>): Record<string, string> =>
  Object.fromEntries(Object.entries(params).filter((e): e is [string, string] => e[1] !== undefined))
