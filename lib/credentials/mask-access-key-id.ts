/**
 * An AccessKeyId as a person may see it: its first and last four characters, enough to tell two
 * keys apart in a console. Shorter ids are hidden whole, since four and four would reveal most of
 * them. Secrets and tokens have no masked form: they are never shown.
 * @public
 */
export const maskAccessKeyId = (id: string): string =>
  id.length >= 12 ? `${id.slice(0, 4)}…${id.slice(-4)}` : '****'
