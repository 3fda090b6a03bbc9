// Hand-written types for ./oss-sts-refresher.js (the browser helper ships as plain JavaScript).
// The .js file takes its JSDoc types from this file, so `tsc -p lib/browser/tsconfig.json`
// fails if the two drift apart.

/** JSON body of a successful `POST /v1/credentials/{profile}` (`sts` and `oss-upload` profiles). */
export interface VendResponse {
  Code: 'Success'
  AccessKeyId: string
  AccessKeySecret: string
  SecurityToken: string
  /** `YYYY-MM-DDThh:mm:ssZ`, server clock. */
  Expiration: string
  /** `YYYY-MM-DDThh:mm:ssZ`: the server's clock when it answered. */
  ServerTime: string
  /** `YYYY-MM-DDThh:mm:ssZ`, server clock: when to fetch again. */
  RefreshAfter?: string
  RoleSessionName?: string
  PolicySha256?: string
  /** `oss-upload` profiles only. */
  Bucket?: string
  /** ali-oss form, e.g. `oss-cn-hangzhou`. */
  Region?: string
  /** With scheme, e.g. `https://oss-cn-hangzhou.aliyuncs.com`. */
  Endpoint?: string
  /** Object keys must start with this. */
  Prefix?: string
}

/** What ali-oss's `refreshSTSToken` option must resolve to. */
export interface StsCredentials {
  accessKeyId: string
  accessKeySecret: string
  stsToken: string
}

export interface StsRefresherOptions {
  /** Resolves to the JSON body of `POST /v1/credentials/{profile}`; validated before use. */
  fetchCredentials: () => Promise<unknown>
  /** Monotonic milliseconds. Default `performance.now()` (never the wall clock). */
  now?: () => number
  /** Default `setTimeout` (unref'd where that exists). */
  setTimer?: (fn: () => void, ms: number) => unknown
  /** Default `clearTimeout`. */
  clearTimer?: (handle: unknown) => void
  /** At most one fetch per this many ms. Default 5000. */
  minFetchIntervalMs?: number
  /** First retry delay after a failed fetch; doubles per consecutive failure up to 60 s. Default 2000. */
  retryDelayMs?: number
  /** A fetch that has not settled after this many ms counts as failed. Default 15000. */
  fetchTimeoutMs?: number
}

/** Options for `new OSS(...)`. */
export interface OssClientOptions extends StsCredentials {
  bucket?: string
  region?: string
  endpoint?: string
  secure: boolean
  refreshSTSToken: () => Promise<StsCredentials>
  /** ms between ali-oss's calls to `refreshSTSToken` (answered from memory, so cheap). */
  refreshSTSTokenInterval: number
  [extra: string]: unknown
}

export interface StsRefresherStats {
  fetches: number
  failures: number
  /** On the `now` clock; null before the first successful fetch. */
  refreshAtMs: number | null
  /** On the `now` clock (a few seconds early, as a safety margin); null before the first success. */
  expiresAtMs: number | null
}

export interface StsRefresher {
  /** Pass as ali-oss's `refreshSTSToken`. Answers from memory until the refresh time; single-flight after. */
  refreshSTSToken(): Promise<StsCredentials>
  /** Fetches (or reuses) credentials and returns `new OSS(...)` options, merged with `extra`. */
  ossOptions(extra?: Record<string, unknown>): Promise<OssClientOptions>
  /** The last good vend response while it is unexpired, e.g. to read `Prefix`. */
  current(): VendResponse | undefined
  stats(): StsRefresherStats
  /** Cancels the proactive refresh timer. Later calls still work but schedule nothing. */
  stop(): void
}

export function createStsRefresher(options: StsRefresherOptions): StsRefresher
