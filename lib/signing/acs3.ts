import { webDigests, type Digests } from '../crypto/digests.ts'
import { compareCodeUnits, percentEncode } from './percent-encode.ts'

/** The algorithm name that opens the string to sign and the Authorization header. @internal */
export const ACS3 = 'ACS3-HMAC-SHA256'

/** SHA-256 of the empty body, sent as `x-acs-content-sha256` when there is no body. @internal */
export const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'

/** What ACS3 signs. `pathname` is the path as sent (already percent-encoded). @internal */
export interface Acs3Input {
  readonly method: string
  readonly pathname: string
  readonly query: Readonly<Record<string, string>>
  readonly headers: Readonly<Record<string, string>>
  readonly hashedPayload: string
}

/**
 * Signed headers are `host`, `content-type` and every `x-acs-*`, lowercased, trimmed, sorted;
 * repeated names have their values sorted and joined with `,`, as aliyun/darabonba-openapi-util
 * `golang/service/service.go` does (vector TV-6, from its `Test_GetAuthorization`).
 * @internal
 */
const acs3CanonicalHeaders = (headers: Readonly<Record<string, string>>) => {
  const grouped = new Map<string, string[]>()
  for (const [name, value] of Object.entries(headers)) {
    const key = name.toLowerCase()
    if (key !== 'host' && key !== 'content-type' && !key.startsWith('x-acs-')) continue
    grouped.set(key, [...(grouped.get(key) ?? []), value.trim()])
  }
  const names = [...grouped.keys()].sort(compareCodeUnits)
  const canonical = names.map((n) => `${n}:${grouped.get(n)!.sort().join(',')}\n`).join('')
  return { canonical, signedHeaders: names.join(';') }
}

/** Sorted `name=value` pairs, both percent-encoded; an empty value stays `name=`. @internal */
const acs3CanonicalQuery = (query: Readonly<Record<string, string>>): string =>
  Object.keys(query)
    .sort(compareCodeUnits)
    .map((key) => `${percentEncode(key)}=${percentEncode(query[key]!)}`)
    .join('&')

/** The path as sent, with the three substitutions the official signers make. @internal */
const acs3CanonicalUri = (pathname: string): string =>
  (pathname || '/').replace(/\+/g, '%20').replace(/\*/g, '%2A').replace(/%7E/g, '~')

/** @internal */
export const acs3CanonicalRequest = (input: Acs3Input) => {
  const { canonical, signedHeaders } = acs3CanonicalHeaders(input.headers)
  const request = [
    input.method.toUpperCase(),
    acs3CanonicalUri(input.pathname),
    acs3CanonicalQuery(input.query),
    canonical,
    signedHeaders,
    input.hashedPayload,
  ].join('\n')
  return { request, signedHeaders }
}

/** `ACS3-HMAC-SHA256\n` + hex SHA-256 of the canonical request. @internal */
export const acs3StringToSign = async (
  canonicalRequest: string,
  digests: Digests = webDigests,
): Promise<string> => `${ACS3}\n${await digests.sha256Hex(canonicalRequest)}`

/**
 * The full `Authorization` header value. The HMAC key is the secret itself (no `&`, unlike RPC).
 * @example
 * headers.authorization = await acs3Authorization(input, 'LTAI…', secret)
 * @internal
 */
export const acs3Authorization = async (
  input: Acs3Input,
  accessKeyId: string,
  accessKeySecret: string,
  digests: Digests = webDigests,
): Promise<string> => {
  const { request, signedHeaders } = acs3CanonicalRequest(input)
  const stringToSign = await acs3StringToSign(request, digests)
  const signature = await digests.hmacSha256Hex(accessKeySecret, stringToSign)
  return `${ACS3} Credential=${accessKeyId},SignedHeaders=${signedHeaders},Signature=${signature}`
}
