import type { Credentials } from '../credentials/types.ts'
import { sha256Hex } from '../crypto/hmac.ts'
import { acs3Authorization } from '../signing/acs3.ts'
import { percentEncode } from '../signing/percent-encode.ts'
import { rpcSignature } from '../signing/rpc-v1.ts'
import { formatTimestamp } from '../signing/timestamp.ts'

/** The two signature schemes credvend speaks: RPC `SignatureVersion=1.0` and ACS3 (V3). @public */
export type SignatureScheme = 'rpc-hmac-sha1' | 'acs3-hmac-sha256'

/** An RPC-style OpenAPI call before signing. @internal */
export interface RpcCall {
  readonly endpoint: URL
  readonly action: string
  readonly version: string
  /** Business parameters; sent in a form body under every scheme. */
  readonly params: Readonly<Record<string, string>>
}

/** Everything fetch needs. @internal */
export interface BuiltRequest {
  readonly url: string
  readonly init: RequestInit & { method: 'POST'; headers: Record<string, string>; body: string }
}

/** What signing needs besides the call: who signs, when, with which nonce. @internal */
export interface SigningContext {
  readonly credentials: Credentials
  readonly scheme: SignatureScheme
  readonly now: Date
  readonly nonce: string
}

const FORM = 'application/x-www-form-urlencoded'

const formBody = (params: Readonly<Record<string, string>>): string =>
  Object.entries(params)
    .map(([k, v]) => `${percentEncode(k)}=${percentEncode(v)}`)
    .join('&')

const rootUrl = (endpoint: URL, query?: string): string =>
  `${endpoint.protocol}//${endpoint.host}/${query ? `?${query}` : ''}`

/**
 * RPC v1.0 the way the official Credentials tools send it: common parameters and `Signature` in
 * the query, business parameters in the form body, the signature over both merged.
 */
const buildRpc = async (call: RpcCall, ctx: SigningContext): Promise<BuiltRequest> => {
  const common: Record<string, string> = {
    Action: call.action,
    Version: call.version,
    Format: 'JSON',
    Timestamp: formatTimestamp(ctx.now),
    SignatureMethod: 'HMAC-SHA1',
    SignatureVersion: '1.0',
    SignatureNonce: ctx.nonce,
    AccessKeyId: ctx.credentials.accessKeyId,
  }
  if (ctx.credentials.securityToken) common.SecurityToken = ctx.credentials.securityToken
  const signature = await rpcSignature(
    'POST',
    { ...call.params, ...common },
    ctx.credentials.accessKeySecret,
  )
  const query = formBody({ ...common, Signature: signature })
  return {
    url: rootUrl(call.endpoint, query),
    init: {
      method: 'POST',
      headers: { 'content-type': FORM, accept: 'application/json' },
      body: formBody(call.params),
    },
  }
}

/** ACS3 ("V3"): action and version in headers, business parameters in a hashed form body. */
const buildAcs3 = async (call: RpcCall, ctx: SigningContext): Promise<BuiltRequest> => {
  const body = formBody(call.params)
  const hashedPayload = await sha256Hex(body)
  const headers: Record<string, string> = {
    host: call.endpoint.host,
    'content-type': FORM,
    'x-acs-action': call.action,
    'x-acs-version': call.version,
    'x-acs-date': formatTimestamp(ctx.now),
    'x-acs-signature-nonce': ctx.nonce,
    'x-acs-content-sha256': hashedPayload,
  }
  if (ctx.credentials.securityToken) {
    headers['x-acs-security-token'] = ctx.credentials.securityToken
    headers['x-acs-accesskey-id'] = ctx.credentials.accessKeyId
  }
  const authorization = await acs3Authorization(
    { method: 'POST', pathname: '/', query: {}, headers, hashedPayload },
    ctx.credentials.accessKeyId,
    ctx.credentials.accessKeySecret,
  )
  // fetch derives Host from the URL itself (and forbids setting it); it is the same value signed.
  const { host: _derivedByFetch, ...sent } = headers
  return {
    url: rootUrl(call.endpoint),
    init: { method: 'POST', headers: { ...sent, accept: 'application/json', authorization }, body },
  }
}

/**
 * Signs an RPC-style call with the chosen scheme. Pure apart from hashing: clock and nonce
 * arrive in `ctx`.
 * @internal
 */
export const buildSignedRequest = (call: RpcCall, ctx: SigningContext): Promise<BuiltRequest> =>
  ctx.scheme === 'acs3-hmac-sha256' ? buildAcs3(call, ctx) : buildRpc(call, ctx)

/**
 * An anonymous call (AssumeRoleWithOIDC): only Action, Version, Format and Timestamp in the
 * query, no signature, everything else in the form body, as aliyun/credentials-nodejs
 * `src/providers/oidc_role_arn.ts` sends it.
 * @internal
 */
export const buildAnonymousRequest = (call: RpcCall, now: Date): BuiltRequest => {
  const query = formBody({
    Action: call.action,
    Version: call.version,
    Format: 'JSON',
    Timestamp: formatTimestamp(now),
  })
  return {
    url: rootUrl(call.endpoint, query),
    init: {
      method: 'POST',
      headers: { 'content-type': FORM, accept: 'application/json' },
      body: formBody(call.params),
    },
  }
}
