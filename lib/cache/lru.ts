/**
 * A bounded map that forgets the least recently used entry when full. Map iteration order is
 * insertion order, so re-inserting on read keeps the oldest entry first.
 *
 * With `bySize`, the entries' summed sizes are bounded too: a count alone cannot bound memory
 * when one value may be a thousand times larger than another. `sizeOf` must give the same number
 * for a value every time it is asked, or the total drifts.
 * @internal
 */
export const createLru = <K, V>(
  maxEntries: number,
  bySize?: { readonly maxSize: number; readonly sizeOf: (value: V) => number },
) => {
  const map = new Map<K, V>()
  let total = 0
  const remove = (key: K, value: V) => {
    map.delete(key)
    if (bySize) total -= bySize.sizeOf(value)
  }
  return {
    get(key: K): V | undefined {
      const value = map.get(key)
      if (value === undefined) return undefined
      map.delete(key)
      map.set(key, value)
      return value
    },
    set(key: K, value: V): void {
      if (map.has(key)) remove(key, map.get(key) as V)
      const size = bySize?.sizeOf(value) ?? 0
      // Kept, it would evict everything else and still not fit.
      if (bySize && size > bySize.maxSize) return
      map.set(key, value)
      total += size
      while (map.size > maxEntries || (bySize && total > bySize.maxSize)) {
        const [oldestKey, oldestValue] = map.entries().next().value as [K, V]
        remove(oldestKey, oldestValue)
      }
    },
    delete(key: K): boolean {
      if (!map.has(key)) return false
      remove(key, map.get(key) as V)
      return true
    },
    /** Removes every entry the predicate selects; returns how many. */
    purge(select: (key: K, value: V) => boolean): number {
      let removed = 0
      for (const [k, v] of map)
        if (select(k, v)) {
          remove(k, v)
          removed++
        }
      return removed
    },
    get size() {
      return map.size
    },
    /** The summed sizes of the entries held (0 without `bySize`). */
    get totalSize() {
      return total
    },
  }
}
