/**
 * `YYYY-MM-DDThh:mm:ssZ` in UTC, the only form RPC `Timestamp` and ACS3 `x-acs-date` take
 * (no milliseconds, as `getTimestamp` in aliyun/darabonba-openapi-util `ts/src/client.ts` writes).
 * @internal
 */
export const formatTimestamp = (date: Date): string => date.toISOString().replace(/\.\d{3}Z$/, 'Z')

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
