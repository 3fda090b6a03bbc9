import { webDigests, type Digests } from '../crypto/digests.ts'
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
 * One parameter as the string to sign holds it: `name=value` encoded, then encoded again with the
 * whole query. The pair is ASCII by then, so encoding it alone and joining with `%26` (an encoded
 * `&`) gives the same text as encoding the joined query.
 */
interface SignedParam {
  readonly name: string
  readonly text: string
}

const signedParam = (name: string, value: string): SignedParam => ({
  name,
  text: percentEncode(`${percentEncode(name)}=${percentEncode(value)}`),
})

const byName = (a: SignedParam, b: SignedParam) => compareCodeUnits(a.name, b.name)

/** @internal */
export interface RpcSigner {
  /** `METHOD&%2F&encode(canonicalQuery)` of the fixed parameters and these. */
  stringToSign(params: Readonly<Record<string, string>>): string
  /** Base64 HMAC-SHA1 of that, keyed with `secret + "&"`. */
  sign(params: Readonly<Record<string, string>>, accessKeySecret: string): Promise<string>
}

/**
 * RPC signature V1.0 for a client that sends some parameters with the same value every time
 * (Action, Version, SignatureMethod, …): those are encoded once, here, and each call encodes only
 * its own. A name in both keeps the fixed value. `Signature` is never signed.
 * @internal
 */
export const rpcSigner = (
  method: string,
  fixed: Readonly<Record<string, string>>,
  digests: Digests = webDigests,
): RpcSigner => {
  const head = `${method.toUpperCase()}&${percentEncode('/')}&`
  const fixedNames = new Set(Object.keys(fixed))
  fixedNames.delete('Signature')
  const fixedParams = [...fixedNames].map((name) => signedParam(name, fixed[name]!))
  const stringToSign = (params: Readonly<Record<string, string>>): string => {
    const all = fixedParams.slice()
    for (const name of Object.keys(params)) {
      if (name !== 'Signature' && !fixedNames.has(name)) all.push(signedParam(name, params[name]!))
    }
    return `${head}${all
      .sort(byName)
      .map((p) => p.text)
      .join('%26')}`
  }
  return {
    stringToSign,
    sign: (params, accessKeySecret) =>
      digests.hmacSha1Base64(`${accessKeySecret}&`, stringToSign(params)),
  }
}

/**
 * `METHOD&%2F&encode(canonicalQuery)`. Query and form-body parameters are signed together, so
 * callers pass them merged.
 * @internal
 */
export const rpcStringToSign = (method: string, params: Readonly<Record<string, string>>): string =>
  rpcSigner(method, {}).stringToSign(params)

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
  digests: Digests = webDigests,
): Promise<string> => rpcSigner(method, {}, digests).sign(params, accessKeySecret)
