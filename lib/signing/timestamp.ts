/**
 * The last few seconds formatted, by second: every cache hit writes the same few instants (its
 * credentials' expiry and refresh time, and the current second), and `toISOString` plus the
 * regex cost more than the rest of building the body. Direct-mapped, so it never grows.
 */
const SLOTS = 64
const seconds = new Float64Array(SLOTS).fill(Number.NaN)
const texts: string[] = new Array<string>(SLOTS).fill('')

/**
 * `YYYY-MM-DDThh:mm:ssZ` in UTC, the only form RPC `Timestamp` and ACS3 `x-acs-date` take
 * (no milliseconds, as `getTimestamp` in aliyun/darabonba-openapi-util `ts/src/client.ts` writes).
 * @internal
 */
export const formatTimestamp = (date: Date): string => {
  const second = Math.floor(date.getTime() / 1000)
  const slot = second & (SLOTS - 1)
  if (seconds[slot] === second) return texts[slot]!
  const text = date.toISOString().replace(/\.\d{3}Z$/, 'Z')
  seconds[slot] = second
  texts[slot] = text
  return text
}

const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d{1,3})?Z$/

/**
 * Parses the same form (milliseconds tolerated, as credentials-nodejs does for `Expiration`).
 * Returns undefined for anything else, including offsets such as `+00:00`.
 * @internal
 */
export const parseTimestamp = (text: string): Date | undefined => {
  if (!TIMESTAMP.test(text)) return undefined
  const ms = Date.parse(text)
  return Number.isNaN(ms) ? undefined : new Date(ms)
}
