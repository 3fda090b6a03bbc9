import type { Credentials } from '../credentials/types.ts'
import { webDigests, type Digests } from '../crypto/digests.ts'
import { acs3Authorization } from '../signing/acs3.ts'
import { percentEncode } from '../signing/percent-encode.ts'
import { rpcSigner } from '../signing/rpc-v1.ts'
import { formatTimestamp } from '../signing/timestamp.ts'

/** The two signature schemes credvend speaks: RPC `SignatureVersion=1.0` and ACS3 (V3). @public */
export type SignatureScheme = 'rpc-hmac-sha1' | 'acs3-hmac-sha256'

/** Where an RPC-style call goes and what it is: the same on every call a client makes. @internal */
export interface CallTarget {
  readonly endpoint: URL
  readonly action: string
  readonly version: string
}

/** An RPC-style OpenAPI call before signing. @internal */
export interface RpcCall extends CallTarget {
  /** Business parameters; sent in a form body under every scheme. */
  readonly params: Readonly<Record<string, string>>
}

/** Everything fetch needs. @internal */
export interface BuiltRequest {
  readonly url: string
  readonly init: RequestInit & {
    method: 'POST'
    headers: Readonly<Record<string, string>>
    body: string
  }
}

/** What changes from one signed call to the next: who signs, when, with which nonce. @internal */
interface CallSigner {
  readonly credentials: Credentials
  readonly now: Date
  readonly nonce: string
}

/** What signing needs besides the call. @internal */
export interface SigningContext extends CallSigner {
  readonly scheme: SignatureScheme
  /** Web Crypto's when absent. */
  readonly digests?: Digests | undefined
}

/** Signs one call of a prepared target. @internal */
export type PreparedCall = (
  params: Readonly<Record<string, string>>,
  signer: CallSigner,
) => Promise<BuiltRequest>

const FORM = 'application/x-www-form-urlencoded'

// Shared by every request: frozen, so no caller can change what the next one sends.
const FORM_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'content-type': FORM,
  accept: 'application/json',
})

const formBody = (params: Readonly<Record<string, string>>): string =>
  Object.entries(params)
    .map(([k, v]) => `${percentEncode(k)}=${percentEncode(v)}`)
    .join('&')

const rootUrl = (endpoint: URL, query?: string): string =>
  `${endpoint.protocol}//${endpoint.host}/${query ? `?${query}` : ''}`

/**
 * RPC v1.0 the way the official Credentials tools send it: common parameters and `Signature` in
 * the query, business parameters in the form body, the signature over both merged. The query is
 * written in the tools' order (Action, Version, Format, Timestamp, SignatureMethod,
 * SignatureVersion, SignatureNonce, AccessKeyId, SecurityToken, Signature); its fixed stretches
 * are encoded here, once.
 */
const prepareRpc = (target: CallTarget, digests: Digests): PreparedCall => {
  const head = { Action: target.action, Version: target.version, Format: 'JSON' }
  const method = { SignatureMethod: 'HMAC-SHA1', SignatureVersion: '1.0' }
  const signer = rpcSigner('POST', { ...head, ...method }, digests)
  const beforeTimestamp = `${rootUrl(target.endpoint, formBody(head))}&Timestamp=`
  const beforeNonce = `&${formBody(method)}&SignatureNonce=`
  return async (params, { credentials, now, nonce }) => {
    const timestamp = formatTimestamp(now)
    const { accessKeyId, accessKeySecret, securityToken } = credentials
    const common: Record<string, string> = {
      Timestamp: timestamp,
      SignatureNonce: nonce,
      AccessKeyId: accessKeyId,
    }
    if (securityToken) common.SecurityToken = securityToken
    const signature = await signer.sign({ ...params, ...common }, accessKeySecret)
    const token = securityToken ? `&SecurityToken=${percentEncode(securityToken)}` : ''
    return {
      url:
        `${beforeTimestamp}${percentEncode(timestamp)}${beforeNonce}${percentEncode(nonce)}` +
        `&AccessKeyId=${percentEncode(accessKeyId)}${token}&Signature=${percentEncode(signature)}`,
      init: { method: 'POST', headers: FORM_HEADERS, body: formBody(params) },
    }
  }
}

/** ACS3 ("V3"): action and version in headers, business parameters in a hashed form body. */
const prepareAcs3 = (target: CallTarget, digests: Digests): PreparedCall => {
  const url = rootUrl(target.endpoint)
  const fixedHeaders = {
    host: target.endpoint.host,
    'content-type': FORM,
    'x-acs-action': target.action,
    'x-acs-version': target.version,
  }
  return async (params, { credentials, now, nonce }) => {
    const body = formBody(params)
    const hashedPayload = await digests.sha256Hex(body)
    const headers: Record<string, string> = {
      ...fixedHeaders,
      'x-acs-date': formatTimestamp(now),
      'x-acs-signature-nonce': nonce,
      'x-acs-content-sha256': hashedPayload,
    }
    if (credentials.securityToken) {
      headers['x-acs-security-token'] = credentials.securityToken
      headers['x-acs-accesskey-id'] = credentials.accessKeyId
    }
    const authorization = await acs3Authorization(
      { method: 'POST', pathname: '/', query: {}, headers, hashedPayload },
      credentials.accessKeyId,
      credentials.accessKeySecret,
      digests,
    )
    // fetch derives Host from the URL itself (and forbids setting it); it is the same value signed.
    const { host: _derivedByFetch, ...sent } = headers
    return {
      url,
      init: {
        method: 'POST',
        headers: { ...sent, accept: 'application/json', authorization },
        body,
      },
    }
  }
}

/**
 * Prepares a client's calls of one action: whatever does not change between them is worked out
 * here, once; each call then signs only what is its own.
 * @example
 * const assumeRole = prepareSignedCall({ endpoint, action: 'AssumeRole', version }, 'rpc-hmac-sha1')
 * const request = await assumeRole(params, { credentials, now: new Date(), nonce })
 * @internal
 */
export const prepareSignedCall = (
  target: CallTarget,
  scheme: SignatureScheme,
  digests: Digests = webDigests,
): PreparedCall =>
  scheme === 'acs3-hmac-sha256' ? prepareAcs3(target, digests) : prepareRpc(target, digests)

/**
 * Signs an RPC-style call with the chosen scheme. Pure apart from hashing: clock and nonce
 * arrive in `ctx`.
 * @internal
 */
export const buildSignedRequest = (call: RpcCall, ctx: SigningContext): Promise<BuiltRequest> =>
  prepareSignedCall(call, ctx.scheme, ctx.digests)(call.params, ctx)

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
    init: { method: 'POST', headers: FORM_HEADERS, body: formBody(call.params) },
  }
}
