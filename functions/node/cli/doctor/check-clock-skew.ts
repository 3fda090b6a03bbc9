import type { DoctorCheck } from './doctor-check.ts'
import type { Probe } from './probe-endpoint.ts'

/** Past this, tokens this host checks or mints (JWT `exp`, `iat`) start to disagree with others'. */
const WARN_MS = 60_000
/**
 * How far a request's timestamp may be from STS's clock before it answers
 * `InvalidTimeStamp.Expired`. Unconfirmed: 15 minutes is what is commonly cited (for example
 * https://developer.aliyun.com/ask/9487); Alibaba's API reference does not state it.
 */
const STS_TOLERANCE_MS = 15 * 60_000

const FIX =
  "synchronise this host's clock (NTP: chronyd or systemd-timesyncd); the official SDKs sign with it unchanged"

/**
 * This host's clock against STS's, from the `Date` of an answer: STS's second is taken at its
 * midpoint and set against the midpoint of the request, so the estimate is good to about half a
 * second plus half the round trip.
 */
export const checkClockSkew = (probe: Probe): DoctorCheck => {
  const name = 'clock-skew'
  if (!probe.reachable) return { name, status: 'skipped', detail: 'STS did not answer', fix: null }
  if (probe.dateMs === undefined)
    return { name, status: 'skipped', detail: "STS's answer carried no Date header", fix: null }
  const skewMs = probe.dateMs + 500 - (probe.sentMs + probe.receivedMs) / 2
  const seconds = Math.round(Math.abs(skewMs) / 1000)
  const way = skewMs > 0 ? 'behind' : 'ahead of'
  const said =
    seconds === 0
      ? "this host's clock is within a second of STS's"
      : `this host's clock is ${seconds} s ${way} STS's`
  if (Math.abs(skewMs) < WARN_MS) return { name, status: 'ok', detail: said, fix: null }
  if (Math.abs(skewMs) < STS_TOLERANCE_MS)
    return {
      name,
      status: 'warn',
      detail: `${said}; STS refuses requests whose timestamp is about 15 minutes off (commonly cited, unconfirmed)`,
      fix: FIX,
    }
  return {
    name,
    status: 'fail',
    detail: `${said}: beyond the 15 minutes STS is commonly said to allow, so the official SDKs' requests are refused (InvalidTimeStamp.Expired); credvend corrects its own signing clock from STS's answers`,
    fix: FIX,
  }
}
