interface Slot<K, V> {
  readonly key: K
  value: V
  size: number
  /** Read or rewritten since the hand last passed: spared once. */
  used: boolean
  prev: Slot<K, V>
  next: Slot<K, V>
}

/**
 * A bounded map with second-chance (CLOCK) eviction. Entries wait in a ring in insertion order;
 * when room is needed the hand looks at the oldest: one read (or rewritten) since the hand last
 * passed it loses that mark and is passed over, and the first one without it is evicted. So an
 * entry read since the last sweep survives it, and the oldest unread entry goes first.
 *
 * A read only sets that mark: no Map delete and insert, whose cost grows with the map on V8, on
 * every hit. The ring's links make eviction and removal O(1).
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
  const map = new Map<K, Slot<K, V>>()
  const maxSize = bySize ? bySize.maxSize : Infinity
  let total = 0
  /** The oldest entry: where the next sweep starts. */
  let hand: Slot<K, V> | undefined

  const unlink = (slot: Slot<K, V>) => {
    map.delete(slot.key)
    total -= slot.size
    if (slot.next === slot) {
      hand = undefined
      return
    }
    slot.prev.next = slot.next
    slot.next.prev = slot.prev
    if (hand === slot) hand = slot.next
  }

  /** Evicts one entry other than `keep`, which the hand treats as just read. */
  const evictOne = (keep: Slot<K, V> | undefined) => {
    for (let slot = hand; slot !== undefined; slot = hand) {
      if (slot.used || slot === keep) {
        slot.used = false
        hand = slot.next
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
      slot.used = true
      return slot.value
    },
    /** A new entry joins as the newest; a rewritten one keeps its place and counts as read. */
    set(key: K, value: V): void {
      const size = bySize ? bySize.sizeOf(value) : 0
      const held = map.get(key)
      // Kept, it would evict everything else and still not fit.
      if (size > maxSize || maxEntries < 1) {
        if (held) unlink(held)
        return
      }
      if (held) {
        total += size - held.size
        held.value = value
        held.size = size
        held.used = true
        while (total > maxSize) evictOne(held)
        return
      }
      while (map.size >= maxEntries || (map.size > 0 && total + size > maxSize)) evictOne(undefined)
      // Just behind the hand: the last the next sweep reaches. Every link is set at creation, so
      // all slots share one shape.
      const slot = { key, value, size, used: false, prev: hand?.prev, next: hand } as Slot<K, V>
      if (hand === undefined) {
        slot.prev = slot
        slot.next = slot
        hand = slot
      } else {
        hand.prev.next = slot
        hand.prev = slot
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
      for (const slot of map.values())
        if (select(slot.key, slot.value)) {
          unlink(slot)
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
