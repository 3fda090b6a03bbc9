const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'))

/**
 * Request ids and nonces: 128 random bits as 32 hex characters, drawn from a 4 KiB pool that is
 * refilled from the CSPRNG. One `getRandomValues` call per id costs more than a cache-hit vend;
 * a pool keeps the same randomness for a fraction of the cost. Never reuses bytes.
 * @public
 */
export const createRandomHexId = (
  fill: (bytes: Uint8Array) => void = (b) => void crypto.getRandomValues(b),
) => {
  const pool = new Uint8Array(4096)
  let next = pool.length
  return (): string => {
    if (next + 16 > pool.length) {
      fill(pool)
      next = 0
    }
    let id = ''
    for (let i = next; i < next + 16; i++) id += HEX[pool[i]!]
    pool.fill(0, next, next + 16)
    next += 16
    return id
  }
}
