/**
 * ali-oss 6.23.0's own signing helpers (lib/common/signUtils.js), loaded as an oracle through
 * createRequire. Only the functions the OSS tests call are typed.
 */
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)

type Headers = Record<string, string>

interface AliOssSignUtils {
  buildCanonicalString(
    method: string,
    resourcePath: string,
    request: { headers: Headers; parameters?: Record<string, string | null> },
  ): string
  computeSignature(accessKeySecret: string, canonicalString: string): string
  authorization(accessKeyId: string, accessKeySecret: string, canonicalString: string): string
  fixAdditionalHeaders(additionalHeaders: string[]): string[]
  getCanonicalRequest(
    method: string,
    request: { headers: Headers; queries: Record<string, string | null> },
    bucketName: string | undefined,
    objectName: string | undefined,
    additionalHeaders: string[],
  ): string
  getStringToSign(region: string, datetime: string, canonicalRequest: string): string
  getSignatureV4(
    accessKeySecret: string,
    yyyymmdd: string,
    region: string,
    stringToSign: string,
  ): string
  authorizationV4(
    accessKeyId: string,
    accessKeySecret: string,
    region: string,
    method: string,
    request: { headers: Headers; queries: Record<string, string | null> },
    bucketName: string | undefined,
    objectName: string | undefined,
    additionalHeaders: string[],
  ): string
}

export const aliOss: AliOssSignUtils = require('ali-oss/lib/common/signUtils')

/** The client methods the tests call: post-policy signing and the V1 resource path. */
interface AliOssClient {
  _getResource(params: { bucket?: string; object?: string }): string
  calculatePostSignature(policy: object): {
    OSSAccessKeyId: string
    Signature: string
    policy: string
  }
  signPostObjectPolicyV4(policy: object, date: Date): string
}

const OSS = require('ali-oss') as new (options: Record<string, unknown>) => AliOssClient

/** A client that never sends a request; it only signs. */
export const aliOssClient = (options: {
  accessKeyId: string
  accessKeySecret: string
  stsToken?: string
  region: string
}): AliOssClient => new OSS({ ...options, bucket: 'my-bucket' })
