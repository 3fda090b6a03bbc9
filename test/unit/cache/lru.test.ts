import fc from 'fast-check'
import { describe, expect, it, vi } from 'vitest'
import { createLru } from '../../../lib/cache/lru.ts'

/** A cache filled with `keys` in order, each mapped to its upper-case form. */
const filled = (capacity: number, ...keys: string[]) => {
  const lru = createLru<string, string>(capacity)
  for (const k of keys) lru.set(k, k.toUpperCase())
  return lru
}

const present = (lru: ReturnType<typeof filled>, ...keys: string[]) =>
  keys.filter((k) => lru.get(k) !== undefined)

/** The keys held, found without reading them: `purge` with a predicate that takes nothing. */
const held = (lru: { purge: (select: (key: string) => boolean) => number }) => {
  const keys: string[] = []
  lru.purge((k) => {
    keys.push(k)
    return false
  })
  return keys
}

describe('createLru', () => {
  it('never holds more than its capacity', () => {
    const lru = createLru<number, number>(3)
    for (let i = 0; i < 50; i++) {
      lru.set(i, i)
      expect(lru.size).toBeLessThanOrEqual(3)
    }
    expect(lru.size).toBe(3)
  })

  it('LRU eviction order: second chance — an entry read since the last sweep survives it, the oldest unread goes first', () => {
    const lru = filled(5, 'a', 'b', 'c', 'd', 'e')
    lru.get('b')
    lru.get('d')
    const evicted: string[] = []
    for (const k of ['f', 'g', 'h', 'i', 'j']) {
      const before = held(lru)
      lru.set(k, k.toUpperCase())
      evicted.push(...before.filter((h) => !held(lru).includes(h)))
    }
    // f evicts a (unread); g passes b (read: spared, its mark cleared) and evicts c; h passes d
    // and evicts e; i finds f, the oldest unread; j finds b, whose second chance is spent. Strict
    // LRU would have gone a, c, e, b, d.
    expect(evicted).toEqual(['a', 'c', 'e', 'f', 'b'])
    expect(held(lru).sort()).toEqual(['d', 'g', 'h', 'i', 'j'])
  })

  it('a rewritten entry counts as read: it is spared once, then goes in its turn', () => {
    const lru = filled(3, 'a', 'b', 'c')
    lru.set('a', 'A2')
    lru.set('d', 'D')
    expect(held(lru).sort()).toEqual(['a', 'c', 'd'])
    lru.set('e', 'E')
    lru.set('f', 'F')
    expect(held(lru).sort()).toEqual(['d', 'e', 'f'])
  })

  it('holds what a model of second-chance eviction holds, whatever the operations', () => {
    const key = fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f')
    const op = fc.oneof(
      fc.record({ set: key }),
      fc.record({ get: key }),
      fc.record({ delete: key }),
      fc.record({ purge: key }),
    )
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 4 }), fc.array(op, { maxLength: 80 }), (cap, ops) => {
        const lru = createLru<string, number>(cap)
        // The model: a queue, oldest first, each with its mark; a spared entry rejoins at the back.
        let queue: Array<{ key: string; value: number; used: boolean }> = []
        ops.forEach((o, n) => {
          if ('set' in o) {
            lru.set(o.set, n)
            const found = queue.find((e) => e.key === o.set)
            if (found) Object.assign(found, { value: n, used: true })
            else {
              while (queue.length >= cap) {
                const oldest = queue.shift()!
                if (oldest.used) queue.push({ ...oldest, used: false })
              }
              queue.push({ key: o.set, value: n, used: false })
            }
          } else if ('get' in o) {
            const found = queue.find((e) => e.key === o.get)
            if (found) found.used = true
            expect(lru.get(o.get)).toBe(found?.value)
          } else if ('delete' in o) {
            expect(lru.delete(o.delete)).toBe(queue.some((e) => e.key === o.delete))
            queue = queue.filter((e) => e.key !== o.delete)
          } else {
            lru.purge((k) => k === o.purge)
            queue = queue.filter((e) => e.key !== o.purge)
          }
          expect(held(lru).sort()).toEqual(queue.map((e) => e.key).sort())
        })
      }),
    )
  })

  it('with nothing read, evicts in insertion order', () => {
    const lru = filled(3, 'a', 'b', 'c')
    lru.set('d', 'D')
    expect(lru.get('a')).toBeUndefined()
    lru.set('e', 'E')
    expect(lru.get('b')).toBeUndefined()
    expect(present(lru, 'c', 'd', 'e')).toEqual(['c', 'd', 'e'])
  })

  it('get marks an entry, so a read entry outlives older unread ones', () => {
    const lru = filled(3, 'a', 'b', 'c')
    expect(lru.get('a')).toBe('A')
    lru.set('d', 'D')
    expect(lru.get('b')).toBeUndefined()
    expect(lru.get('a')).toBe('A')
  })

  it('set on an existing key replaces its value, marks it and does not grow', () => {
    const lru = filled(3, 'a', 'b', 'c')
    lru.set('a', 'A2')
    expect(lru.size).toBe(3)
    lru.set('d', 'D')
    expect(lru.get('b')).toBeUndefined()
    expect(lru.get('a')).toBe('A2')
  })

  it('a miss changes nothing', () => {
    const lru = filled(2, 'a', 'b')
    expect(lru.get('zzz')).toBeUndefined()
    expect(lru.size).toBe(2)
    lru.set('c', 'C')
    expect(present(lru, 'a', 'b', 'c')).toEqual(['b', 'c'])
  })

  it('delete removes one entry and says whether it was there', () => {
    const lru = filled(3, 'a', 'b')
    expect(lru.delete('a')).toBe(true)
    expect(lru.delete('a')).toBe(false)
    expect(lru.size).toBe(1)
  })

  it('purge removes exactly what the predicate selects and returns the count', () => {
    const lru = createLru<string, number>(10)
    for (const [i, k] of ['a', 'b', 'c', 'd', 'e'].entries()) lru.set(k, i)
    const select = vi.fn((_k: string, v: number) => v % 2 === 0)
    expect(lru.purge(select)).toBe(3)
    expect(select).toHaveBeenCalledTimes(5)
    expect(select).toHaveBeenCalledWith('a', 0)
    expect(lru.size).toBe(2)
    expect([lru.get('b'), lru.get('d')]).toEqual([1, 3])
    expect(lru.purge(() => false)).toBe(0)
    expect(lru.size).toBe(2)
  })
})
