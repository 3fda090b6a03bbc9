/**
 * A bounded map that forgets the least recently used entry when full. Map iteration order is
 * insertion order, so re-inserting on read keeps the oldest entry first.
 * @internal
 */
export const createLru = <K, V>(maxEntries: number) => {
  const map = new Map<K, V>()
  return {
    get(key: K): V | undefined {
      const value = map.get(key)
      if (value === undefined) return undefined
      map.delete(key)
      map.set(key, value)
      return value
    },
    set(key: K, value: V): void {
      map.delete(key)
      map.set(key, value)
      if (map.size > maxEntries) map.delete(map.keys().next().value as K)
    },
    delete: (key: K) => map.delete(key),
    /** Removes every entry the predicate selects; returns how many. */
    purge(select: (key: K, value: V) => boolean): number {
      let removed = 0
      for (const [k, v] of map) if (select(k, v) && map.delete(k)) removed++
      return removed
    },
    get size() {
      return map.size
    },
  }
}
