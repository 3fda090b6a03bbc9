import { utf8 } from './encoding.ts'

/**
 * Compares two secrets in time that does not depend on where they differ.
 * Both sides are hashed first so that their lengths leak nothing either (hono bearer-auth does the same).
 * @internal
 */
export const timingSafeEqual = async (a: string, b: string): Promise<boolean> => {
  const [da, db] = await Promise.all([
    crypto.subtle.digest('SHA-256', utf8(a)),
    crypto.subtle.digest('SHA-256', utf8(b)),
  ])
  const va = new Uint8Array(da)
  const vb = new Uint8Array(db)
  let diff = 0
  for (let i = 0; i < va.length; i++) diff |= va[i]! ^ vb[i]!
  return diff === 0 && a.length === b.length
}
