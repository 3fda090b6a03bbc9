/**
 * A bounded map with second-chance (CLOCK) eviction. Entries wait in a ring in insertion order;
 * when room is needed the hand looks at the oldest: one read (or rewritten) since the hand last
 * passed it loses that mark and is passed over, and the first one without it is evicted. So an
 * entry read since the last sweep survives it, and the oldest unread entry goes first.
 *
 * A read only sets that mark: no Map delete and insert, whose cost grows with the map on V8, on
 * every hit. The ring's links make eviction and removal O(1); they live in typed arrays indexed by
 * slot rather than in an object per entry, which would cost about 70 bytes per entry in each of
 * the caches a caller occupies.
 *
 * With `bySize`, the entries' summed sizes are bounded too: a count alone cannot bound memory
 * when one value may be a thousand times larger than another. Each entry's size is asked once,
 * when it is set, and given back when it leaves.
 * @internal
 */
export const createLru = <K, V>(
  maxEntries: number,
  bySize?: { readonly maxSize: number; readonly sizeOf: (value: V) => number },
) => {
  const map = new Map<K, number>()
  const maxSize = bySize ? bySize.maxSize : Infinity
  let total = 0
  /** The slot the next sweep looks at first; -1 while empty. */
  let hand = -1
  const keys: (K | undefined)[] = []
  const values: (V | undefined)[] = []
  let capacity = 0
  let used = new Uint8Array(0)
  let sizes = new Float64Array(0)
  let prev = new Int32Array(0)
  let next = new Int32Array(0)
  /** Slots given back by removals, reused before the arrays grow. */
  const free: number[] = []

  const grow = () => {
    capacity = Math.max(16, capacity * 2)
    const widen = <T extends Uint8Array | Float64Array | Int32Array>(
      old: T,
      make: (n: number) => T,
    ) => {
      const wider = make(capacity)
      wider.set(old)
      return wider
    }
    used = widen(used, (n) => new Uint8Array(n))
    sizes = widen(sizes, (n) => new Float64Array(n))
    prev = widen(prev, (n) => new Int32Array(n))
    next = widen(next, (n) => new Int32Array(n))
  }

  const unlink = (slot: number) => {
    map.delete(keys[slot]!)
    total -= sizes[slot]!
    keys[slot] = undefined
    values[slot] = undefined
    free.push(slot)
    if (next[slot] === slot) {
      hand = -1
      return
    }
    next[prev[slot]!] = next[slot]!
    prev[next[slot]!] = prev[slot]!
    if (hand === slot) hand = next[slot]!
  }

  const evictOne = (keep: number) => {
    for (let slot = hand; slot !== -1; slot = hand) {
      if (used[slot] === 1 || slot === keep) {
        used[slot] = 0
        hand = next[slot]!
      } else {
        unlink(slot)
        return
      }
    }
  }

  return {
    get(key: K): V | undefined {
      const slot = map.get(key)
      if (slot === undefined) return undefined
      used[slot] = 1
      return values[slot]
    },
    set(key: K, value: V): void {
      const size = bySize ? bySize.sizeOf(value) : 0
      const held = map.get(key)
      // Kept, it would evict everything else and still not fit.
      if (size > maxSize || maxEntries < 1) {
        if (held !== undefined) unlink(held)
        return
      }
      if (held !== undefined) {
        total += size - sizes[held]!
        values[held] = value
        sizes[held] = size
        used[held] = 1
        while (total > maxSize) evictOne(held)
        return
      }
      while (map.size >= maxEntries || (map.size > 0 && total + size > maxSize)) evictOne(-1)
      let slot = free.pop()
      if (slot === undefined) {
        slot = keys.length
        if (slot >= capacity) grow()
      }
      keys[slot] = key
      values[slot] = value
      sizes[slot] = size
      used[slot] = 0
      // Just behind the hand: the last the next sweep reaches.
      if (hand === -1) {
        prev[slot] = slot
        next[slot] = slot
        hand = slot
      } else {
        prev[slot] = prev[hand]!
        next[slot] = hand
        next[prev[hand]!] = slot
        prev[hand] = slot
      }
      map.set(key, slot)
      total += size
    },
    delete(key: K): boolean {
      const slot = map.get(key)
      if (slot === undefined) return false
      unlink(slot)
      return true
    },
    /** Removes every entry the predicate selects; returns how many. */
    purge(select: (key: K, value: V) => boolean): number {
      let removed = 0
      for (const [key, slot] of map)
        if (select(key, values[slot]!)) {
          unlink(slot)
          removed++
        }
      return removed
    },
    get size() {
      return map.size
    },
    get totalSize() {
      return total
    },
  }
}
