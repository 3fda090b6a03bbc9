import { hmacSha1Base64 } from '../crypto/hmac.ts'
import { compareCodeUnits, percentEncode } from './percent-encode.ts'

/**
 * The canonicalized query of an RPC request: every parameter except `Signature`, sorted by name,
 * name and value percent-encoded, joined with `&`, as `normalize` and `canonicalize` in
 * aliyun/darabonba-openapi-util `ts/src/client.ts` build it.
 * @internal
 */
export const rpcCanonicalQuery = (params: Readonly<Record<string, string>>): string =>
  Object.keys(params)
    .filter((key) => key !== 'Signature')
    .sort(compareCodeUnits)
    .map((key) => `${percentEncode(key)}=${percentEncode(params[key]!)}`)
    .join('&')

/**
 * `METHOD&%2F&encode(canonicalQuery)`. Query and form-body parameters are signed together, so
 * callers pass them merged.
 * @internal
 */
export const rpcStringToSign = (method: string, params: Readonly<Record<string, string>>): string =>
  `${method.toUpperCase()}&${percentEncode('/')}&${percentEncode(rpcCanonicalQuery(params))}`

/**
 * RPC signature V1.0 (HMAC-SHA1): base64 of HMAC-SHA1 keyed with `secret + "&"`.
 * @example
 * const signature = await rpcSignature('GET', params, 'testsecret')
 * @internal
 */
export const rpcSignature = (
  method: string,
  params: Readonly<Record<string, string>>,
  accessKeySecret: string,
): Promise<string> => hmacSha1Base64(`${accessKeySecret}&`, rpcStringToSign(method, params))
