import { OssEmulatorError } from './oss-errors.ts'

/** An OSS request, resolved to its bucket and object whichever addressing style it used. @internal */
export interface OssRequest {
  readonly method: string
  readonly bucket: string | undefined
  readonly key: string | undefined
  readonly query: URLSearchParams
  /** Lower-case names. */
  readonly headers: Readonly<Record<string, string>>
  readonly raw: Request
}

const IP_HOST = /^(\d{1,3}(\.\d{1,3}){3}|\[[0-9a-f:]+\])$/i

const decodeKey = (encoded: string): string => {
  try {
    return decodeURIComponent(encoded)
  } catch {
    throw new OssEmulatorError(
      'InvalidObjectName',
      'The object name is not valid percent-encoded UTF-8.',
    )
  }
}

/**
 * Virtual-hosted (`bucket.localhost:port`, what ali-oss sends for a host name) or path style
 * (`/bucket/key`, for an IP endpoint or `sldEnable`). A name is a bucket only if it is one.
 * @internal
 */
export const readOssRequest = (
  raw: Request,
  isBucket: (name: string) => boolean,
  rawTarget?: string,
): OssRequest => {
  const url = new URL(raw.url)
  const headers: Record<string, string> = {}
  raw.headers.forEach((value, name) => void (headers[name.toLowerCase()] = value))
  const hostname = (headers.host ?? url.host).replace(/:\d+$/, '')
  const label = hostname.split('.')[0]!
  const virtual = !IP_HOST.test(hostname) && hostname.includes('.') && isBucket(label)
  // OSS takes the path as sent; `new URL` would already have resolved `..` and `%2e%2e` segments,
  // so the runtime hands over the request target from the wire when it has it.
  const path = rawTarget?.startsWith('/') ? rawTarget.replace(/[?#].*$/, '') : url.pathname
  let bucket: string | undefined
  let rest: string
  if (virtual) {
    bucket = label
    rest = path.slice(1)
  } else {
    const slash = path.indexOf('/', 1)
    bucket =
      path.length > 1 ? decodeKey(slash === -1 ? path.slice(1) : path.slice(1, slash)) : undefined
    rest = slash === -1 ? '' : path.slice(slash + 1)
  }
  return {
    method: raw.method.toUpperCase(),
    bucket,
    key: rest === '' ? undefined : decodeKey(rest),
    query: url.searchParams,
    headers,
    raw,
  }
}
