/**
 * credvend browser helper: STS credentials for ali-oss, refreshed single-flight and skew-proof.
 * Dependency-free ESM, importable as-is; types in ./oss-sts-refresher.d.ts.
 *
 * @example
 * import { createStsRefresher } from '/credvend/oss-sts-refresher.js'
 * const sts = createStsRefresher({
 *   fetchCredentials: async () => {
 *     const res = await fetch('/v1/credentials/avatar-upload', { method: 'POST', headers: { authorization: 'Bearer ' + idToken } })
 *     return res.json() // an error body ({ Code, Message, RequestId }) is rejected with its Code
 *   },
 * })
 * const client = new OSS(await sts.ossOptions({ timeout: 120_000 })) // OSS: ali-oss (npm or <script>)
 * await client.multipartUpload(sts.current()?.Prefix + file.name, file)
 * sts.stop() // on sign-out
 *
 * ali-oss alone refreshes on a wall-clock interval and lets concurrent requests race (ali-oss#1363).
 * Here callers are answered from memory until RefreshAfter, then share ONE fetch; a timer renews
 * even while ali-oss is idle; deadlines are (RefreshAfter - ServerTime) and (Expiration - ServerTime)
 * after the request was sent, on a monotonic clock, so a client clock minutes off changes nothing.
 */

/** @typedef {import('./oss-sts-refresher.js').VendResponse} VendResponse */
/** @typedef {import('./oss-sts-refresher.js').StsCredentials} StsCredentials */
/** @typedef {import('./oss-sts-refresher.js').StsRefresher} StsRefresher */
/** @typedef {import('./oss-sts-refresher.js').OssClientOptions} OssClientOptions */
/** @typedef {{ body: VendResponse, creds: StsCredentials, refreshAt: number, expiresAt: number }} Held */

const STAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/
/** Whole-second stamps and STS/credvend clock drift: treat credentials as expired this much early. */
const MARGIN_MS = 5_000

/** Checks the vend response shape; errors name fields, never values. @param {unknown} body @returns {VendResponse} */
function validate(body) {
  const b = /** @type {Record<string, unknown>} */ (
    body !== null && typeof body === 'object' ? body : {}
  )
  if (b.Code !== 'Success') {
    const code = typeof b.Code === 'string' && /^[\w.-]{1,64}$/.test(b.Code) ? b.Code : 'missing'
    const rid =
      typeof b.RequestId === 'string' && /^[\w.-]{1,128}$/.test(b.RequestId)
        ? `, RequestId ${b.RequestId}`
        : ''
    throw new Error(`credvend: credential vend failed (Code ${code}${rid})`)
  }
  for (const k of ['AccessKeyId', 'AccessKeySecret', 'SecurityToken']) {
    if (typeof b[k] !== 'string' || b[k] === '')
      throw new Error(`credvend: vend response has no ${k}`)
  }
  for (const k of ['Expiration', 'ServerTime', 'RefreshAfter']) {
    if (k === 'RefreshAfter' && b[k] === undefined) continue
    if (typeof b[k] !== 'string' || !STAMP.test(b[k]))
      throw new Error(`credvend: vend response ${k} is not YYYY-MM-DDThh:mm:ssZ`)
  }
  for (const k of ['Bucket', 'Region', 'Endpoint', 'Prefix']) {
    if (b[k] !== undefined && typeof b[k] !== 'string')
      throw new Error(`credvend: vend response ${k} is not a string`)
  }
  const v = /** @type {VendResponse} */ (/** @type {unknown} */ (b))
  if (Date.parse(v.Expiration) - Date.parse(v.ServerTime) <= 2 * MARGIN_MS)
    throw new Error('credvend: vend response expires too soon after its ServerTime')
  return v
}

/** @param {import('./oss-sts-refresher.js').StsRefresherOptions} options @returns {StsRefresher} */
export function createStsRefresher(options) {
  const {
    fetchCredentials,
    now = () => performance.now(),
    setTimer = (fn, ms) => {
      /** @type {any} */
      const h = setTimeout(fn, ms)
      h.unref?.() // Node: never keep a process alive
      return h
    },
    clearTimer = (h) => clearTimeout(/** @type {number} */ (h)),
    minFetchIntervalMs = 5_000,
    retryDelayMs = 2_000,
    fetchTimeoutMs = 15_000,
  } = options
  /** @type {Held | undefined} */ let held
  /** @type {Promise<Held> | undefined} */ let inflight
  /** @type {unknown} */ let timer
  /** @type {unknown} */ let lastError
  let nextFetchAt = -Infinity,
    fetches = 0,
    failures = 0,
    streak = 0,
    stopped = false

  /** @param {number} t */
  const valid = (t) => (held !== undefined && t < held.expiresAt ? held : undefined)

  /** @param {number} ms */
  function schedule(ms) {
    if (timer !== undefined) clearTimer(timer)
    timer = stopped ? undefined : setTimer(tick, Math.max(0, ms))
  }

  function tick() {
    timer = undefined
    const wait = nextFetchAt - now()
    if (wait > 0) schedule(wait)
    else fetchOnce().catch(() => {}) // a failure reschedules itself while credentials are held
  }

  /** Single-flight fetch. @returns {Promise<Held>} */
  function fetchOnce() {
    if (inflight) return inflight
    const t0 = now() // request start: deadlines measured from here are conservative
    fetches++
    nextFetchAt = t0 + minFetchIntervalMs
    /** @type {Promise<unknown>} */
    const attempt = new Promise((resolve, reject) => {
      const h = setTimer(
        () => reject(new Error(`credvend: credential fetch timed out after ${fetchTimeoutMs} ms`)),
        fetchTimeoutMs,
      )
      Promise.resolve()
        .then(fetchCredentials)
        .then(resolve, reject)
        .finally(() => clearTimer(h))
    })
    const p = attempt
      .then((body) => {
        const b = validate(body)
        const st = Date.parse(b.ServerTime)
        const expiresAt = t0 + (Date.parse(b.Expiration) - st) - MARGIN_MS
        const ra = b.RefreshAfter === undefined ? 0 : Date.parse(b.RefreshAfter) - st
        const refreshAt = Math.min(
          expiresAt,
          ra > 0 ? t0 + ra : t0 + Math.max(minFetchIntervalMs, (expiresAt - t0) / 2),
        )
        const creds = {
          accessKeyId: b.AccessKeyId,
          accessKeySecret: b.AccessKeySecret,
          stsToken: b.SecurityToken,
        }
        held = { body: b, creds, refreshAt, expiresAt }
        streak = 0
        schedule(refreshAt - now())
        return held
      })
      .catch((/** @type {unknown} */ err) => {
        failures++
        lastError = err
        const t = now() // back off: retryDelayMs, doubling per consecutive failure, capped at 60 s
        nextFetchAt = Math.max(
          nextFetchAt,
          t + Math.min(Math.max(retryDelayMs, 60_000), retryDelayMs * 2 ** streak++),
        )
        const h = valid(t)
        if (!h) throw err
        if (nextFetchAt < h.expiresAt) schedule(nextFetchAt - t)
        return h
      })
    inflight = p
    const clear = () => {
      if (inflight === p) inflight = undefined
    }
    p.then(clear, clear)
    return p
  }

  /** @returns {Promise<StsCredentials>} */
  async function refreshSTSToken() {
    const t = now()
    if (held !== undefined && t < held.refreshAt) return { ...held.creds }
    if (inflight !== undefined || t >= nextFetchAt) return { ...(await fetchOnce()).creds }
    const h = valid(t)
    if (h) return { ...h.creds }
    throw new Error(
      `credvend: no valid STS credentials; next fetch allowed in ${Math.ceil(nextFetchAt - t)} ms`,
      { cause: lastError },
    )
  }

  /** @param {Record<string, unknown>} [extra] @returns {Promise<OssClientOptions>} */
  async function ossOptions(extra = {}) {
    const creds = await refreshSTSToken()
    const h = valid(now())
    /** @type {OssClientOptions} */
    const o = {
      ...creds,
      secure: true,
      refreshSTSToken,
      // ali-oss asks on a wall-clock interval; asking often is cheap (answered from memory).
      refreshSTSTokenInterval: Math.max(
        1_000,
        Math.min(60_000, Math.floor(((h?.expiresAt ?? 0) - now()) / 2)),
      ),
    }
    if (h?.body.Bucket !== undefined) o.bucket = h.body.Bucket
    if (h?.body.Region !== undefined) o.region = h.body.Region
    if (h?.body.Endpoint !== undefined) o.endpoint = h.body.Endpoint
    return { ...o, ...extra }
  }

  return {
    refreshSTSToken,
    ossOptions,
    current: () => valid(now())?.body,
    stats: () => ({
      fetches,
      failures,
      refreshAtMs: held?.refreshAt ?? null,
      expiresAtMs: held?.expiresAt ?? null,
    }),
    stop: () => {
      stopped = true
      schedule(0)
    },
  }
}
