import type { Credentials } from '../credentials/types.ts'
import { rpcSignature } from '../signing/rpc-v1.ts'
import { formatTimestamp } from '../signing/timestamp.ts'
import { STS_VERSION } from '../sts/client.ts'

/** The body of `POST /v1/session/alibaba`. @public */
export interface AlibabaLoginBody {
  readonly params: Readonly<Record<string, string>>
}

/**
 * Client side of the signed login: signs an STS GetCallerIdentity (RPC v1.0, POST) with the
 * caller's own credentials — from its default chain — and hands over only the signed parameters.
 * credvend rebuilds the request itself; nothing in the body names a URL or a host.
 * @example
 * const body = await alibabaLoginBody(await defaultChain(), { now: new Date(), nonce: crypto.randomUUID() })
 * await fetch(`${credvend}/v1/session/alibaba`, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } })
 * @public
 */
export const alibabaLoginBody = async (
  credentials: Credentials,
  ctx: { now: Date; nonce: string },
): Promise<AlibabaLoginBody> => {
  const params: Record<string, string> = {
    AccessKeyId: credentials.accessKeyId,
    Action: 'GetCallerIdentity',
    Format: 'JSON',
    SignatureMethod: 'HMAC-SHA1',
    SignatureNonce: ctx.nonce,
    SignatureVersion: '1.0',
    Timestamp: formatTimestamp(ctx.now),
    Version: STS_VERSION,
    ...(credentials.securityToken ? { SecurityToken: credentials.securityToken } : {}),
  }
  return {
    params: {
      ...params,
      Signature: await rpcSignature('POST', params, credentials.accessKeySecret),
    },
  }
}
