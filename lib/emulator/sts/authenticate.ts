import { hmacSha256Hex, sha256Hex } from '../../crypto/hmac.ts'
import { timingSafeEqual } from '../../crypto/timing-safe-equal.ts'
import { ACS3, acs3CanonicalRequest, acs3StringToSign } from '../../signing/acs3.ts'
import { rpcSignature, rpcStringToSign } from '../../signing/rpc-v1.ts'
import { parseTimestamp } from '../../signing/timestamp.ts'
import type { Principal, World } from '../world.ts'
import type { NonceStore } from './nonce-store.ts'
import type { IncomingCall } from './read-request.ts'
import { fail } from './sts-errors.ts'

/** What authentication established about a call. @internal */
export interface Authenticated {
  readonly action: string
  readonly version: string
  /** Undefined only for actions that are anonymous by design (AssumeRoleWithOIDC). */
  readonly principal: Principal | undefined
  /** Business parameters: everything that is not a signing parameter. */
  readonly params: Readonly<Record<string, string>>
}

/** @internal */
export interface AuthContext {
  readonly world: World
  readonly nonces: NonceStore
  readonly now: Date
  /** How far a request timestamp may be from the server's clock, either way. */
  readonly windowMs: number
  readonly anonymousActions: ReadonlySet<string>
}

const RPC_SIGNING_PARAMS = new Set([
  'AccessKeyId',
  'Signature',
  'SignatureMethod',
  'SignatureVersion',
  'SignatureNonce',
  'Timestamp',
  'SecurityToken',
  'Format',
  'Action',
  'Version',
  'SignatureType',
  'RegionId',
])

const checkTimestamp = (text: string | undefined, ctx: AuthContext) => {
  if (text === undefined) return fail('IncompleteSignature', ' Timestamp is missing.')
  const at = parseTimestamp(text)
  if (!at || text.includes('.')) return fail('InvalidTimeStamp.Format')
  if (Math.abs(at.getTime() - ctx.now.getTime()) > ctx.windowMs)
    return fail('InvalidTimeStamp.Expired')
}

/** Finds the key's holder and checks the security token that STS keys must carry. */
const resolveKey = (accessKeyId: string, token: string | undefined, ctx: AuthContext) => {
  const key = ctx.world.findAccessKey(accessKeyId) ?? fail('InvalidAccessKeyId.NotFound')
  if (key.principal.kind === 'user') {
    if (token !== undefined) fail('InvalidSecurityToken.MismatchWithAccessKey')
    return key
  }
  if (token === undefined || token === '') return fail('MissingSecurityToken')
  const session = ctx.world.findSessionByToken(token) ?? fail('InvalidSecurityToken.Malformed')
  if (session.accessKeyId !== accessKeyId) fail('InvalidSecurityToken.MismatchWithAccessKey')
  if (session.expiresAt.getTime() <= ctx.now.getTime()) fail('InvalidSecurityToken.Expired')
  return key
}

const claimNonce = (accessKeyId: string, nonce: string | undefined, ctx: AuthContext) => {
  if (!nonce) return fail('IncompleteSignature', ' SignatureNonce is missing.')
  if (!ctx.nonces.claim(accessKeyId, nonce, ctx.now.getTime())) fail('SignatureNonceUsed')
}

const authenticateRpc = async (call: IncomingCall, ctx: AuthContext): Promise<Authenticated> => {
  const p = call.params
  if (p.SignatureMethod !== 'HMAC-SHA1' || p.SignatureVersion !== '1.0' || !p.AccessKeyId) {
    return fail('IncompleteSignature')
  }
  checkTimestamp(p.Timestamp, ctx)
  const key = resolveKey(p.AccessKeyId, p.SecurityToken, ctx)
  const expected = await rpcSignature(call.method, p, key.secret)
  if (!(await timingSafeEqual(expected, p.Signature ?? ''))) {
    fail('SignatureDoesNotMatch', ` server string to sign is:${rpcStringToSign(call.method, p)}`)
  }
  claimNonce(p.AccessKeyId, p.SignatureNonce, ctx)
  const params = Object.fromEntries(Object.entries(p).filter(([k]) => !RPC_SIGNING_PARAMS.has(k)))
  return { action: p.Action ?? '', version: p.Version ?? '', principal: key.principal, params }
}

const AUTHORIZATION =
  /^ACS3-HMAC-SHA256 Credential=([^,]+),SignedHeaders=([^,]*),Signature=([0-9a-f]{64})$/
const MUST_SIGN = [
  'host',
  'x-acs-action',
  'x-acs-version',
  'x-acs-date',
  'x-acs-signature-nonce',
  'x-acs-content-sha256',
]

const authenticateAcs3 = async (
  call: IncomingCall,
  header: string,
  ctx: AuthContext,
): Promise<Authenticated> => {
  const match = AUTHORIZATION.exec(header) ?? fail('IncompleteSignature')
  const [, accessKeyId, signedList, signature] = match as unknown as [
    string,
    string,
    string,
    string,
  ]
  const signed = signedList.split(';')
  const present = [...call.headers.keys()].filter((h) => h.startsWith('x-acs-'))
  // Every x-acs-* header sent must be signed, or a proxy could add one that changes meaning.
  if (MUST_SIGN.some((h) => !signed.includes(h)) || present.some((h) => !signed.includes(h))) {
    fail('IncompleteSignature')
  }
  checkTimestamp(call.headers.get('x-acs-date') ?? undefined, ctx)
  const token = call.headers.get('x-acs-security-token') ?? undefined
  const key = resolveKey(accessKeyId, token, ctx)
  const hashedPayload = await sha256Hex(call.body)
  const headers = Object.fromEntries(signed.map((h) => [h, call.headers.get(h) ?? '']))
  const { request } = acs3CanonicalRequest({
    method: call.method,
    pathname: call.url.pathname,
    query: call.query,
    headers,
    hashedPayload: headers['x-acs-content-sha256'] ?? '',
  })
  const stringToSign = await acs3StringToSign(request)
  const expected = await hmacSha256Hex(key.secret, stringToSign)
  const payloadOk = headers['x-acs-content-sha256'] === hashedPayload
  if (!payloadOk || !(await timingSafeEqual(expected, signature))) {
    fail('SignatureDoesNotMatch', ` server string to sign is:${stringToSign}`)
  }
  claimNonce(accessKeyId, call.headers.get('x-acs-signature-nonce') ?? undefined, ctx)
  return {
    action: call.headers.get('x-acs-action') ?? '',
    version: call.headers.get('x-acs-version') ?? '',
    principal: key.principal,
    params: call.params,
  }
}

/**
 * Verifies a call the way the gateway does: ACS3 when an `ACS3-HMAC-SHA256` Authorization header
 * is present, RPC v1.0 when a `Signature` parameter is, anonymous only for anonymous actions.
 * Timestamp window, key, security token, signature, then nonce — a replay is refused even with a
 * valid signature.
 * @internal
 */
export const authenticate = (call: IncomingCall, ctx: AuthContext): Promise<Authenticated> => {
  const authorization = call.headers.get('authorization')
  if (authorization?.startsWith(`${ACS3} `)) return authenticateAcs3(call, authorization, ctx)
  if (call.params.Signature !== undefined) return authenticateRpc(call, ctx)
  const action = call.params.Action ?? call.headers.get('x-acs-action') ?? ''
  if (!ctx.anonymousActions.has(action)) return fail('IncompleteSignature')
  const version = call.params.Version ?? call.headers.get('x-acs-version') ?? ''
  const params = Object.fromEntries(
    Object.entries(call.params).filter(([k]) => !RPC_SIGNING_PARAMS.has(k)),
  )
  return Promise.resolve({ action, version, principal: undefined, params })
}
