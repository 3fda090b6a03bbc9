import { toBase64, toHex } from '../../crypto/encoding.ts'
import { md5 } from '../crypto/md5.ts'
import { OssEmulatorError } from './oss-errors.ts'

/** OSS prints ETags as quoted upper-case hex MD5. @internal */
export const etagOf = (digest: Uint8Array): string => `"${toHex(digest).toUpperCase()}"`

/** A multipart object's ETag: MD5 of the parts' binary MD5s, then `-<count>`. @internal */
export const multipartEtag = (partDigests: readonly Uint8Array[]): string => {
  const joined = new Uint8Array(partDigests.length * 16)
  partDigests.forEach((d, i) => joined.set(d, i * 16))
  return `"${toHex(md5(joined)).toUpperCase()}-${partDigests.length}"`
}

/** A `Content-MD5` header, when sent, must be the base64 MD5 of the body. @internal */
export const checkContentMd5 = (header: string | undefined, digest: Uint8Array): void => {
  if (header !== undefined && header !== toBase64(digest))
    throw new OssEmulatorError('InvalidDigest')
}
