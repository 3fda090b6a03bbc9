import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createLru } from '../../../lib/cache/lru.ts'

/** A cache whose values are their own sizes, bounded to `maxSize` in total. */
const sized = (maxSize: number, maxEntries = 1000) =>
  createLru<string, number>(maxEntries, { maxSize, sizeOf: (v) => v })

const present = (lru: ReturnType<typeof sized>, ...keys: string[]) =>
  keys.filter((k) => lru.get(k) !== undefined)

describe('createLru bounded by size', () => {
  it('evicts the oldest unread entries until the total fits, never the one just set', () => {
    const lru = sized(10)
    lru.set('a', 4)
    lru.set('b', 4)
    expect(lru.get('a')).toBe(4)
    lru.set('c', 5)
    expect(lru.totalSize).toBe(9)
    expect(present(lru, 'a', 'b', 'c')).toEqual(['a', 'c'])
    lru.set('d', 10)
    expect([lru.size, lru.totalSize]).toEqual([1, 10])
  })

  it('never keeps an entry larger than the whole budget, and keeps the others', () => {
    const lru = sized(10)
    lru.set('a', 3)
    lru.set('b', 11)
    expect(present(lru, 'a', 'b')).toEqual(['a'])
    lru.set('a', 11)
    expect([lru.size, lru.totalSize]).toEqual([0, 0])
  })

  it('replacing a value counts the new size only', () => {
    const lru = sized(10)
    lru.set('a', 6)
    lru.set('a', 2)
    lru.set('b', 8)
    expect([lru.size, lru.totalSize]).toEqual([2, 10])
  })

  it('delete and purge give their sizes back', () => {
    const lru = sized(100)
    for (const [k, v] of Object.entries({ a: 1, b: 2, c: 3, d: 4 })) lru.set(k, v)
    expect(lru.delete('b')).toBe(true)
    expect(lru.delete('b')).toBe(false)
    expect(lru.totalSize).toBe(8)
    expect(lru.purge((_, v) => v % 2 === 1)).toBe(2)
    expect([lru.size, lru.totalSize]).toEqual([1, 4])
  })

  it('the entry bound still holds, and an unsized LRU reports no size', () => {
    const lru = sized(1000, 2)
    for (const k of ['a', 'b', 'c']) lru.set(k, 1)
    expect([lru.size, lru.totalSize]).toEqual([2, 2])
    const plain = createLru<string, number>(2)
    plain.set('a', 5)
    expect(plain.totalSize).toBe(0)
  })

  it('the total always equals the sum of what is held, and stays within budget', () => {
    const op = fc.oneof(
      fc.record({ set: fc.constantFrom('a', 'b', 'c', 'd', 'e'), size: fc.nat(12) }),
      fc.record({ get: fc.constantFrom('a', 'b', 'c', 'd', 'e') }),
      fc.record({ delete: fc.constantFrom('a', 'b', 'c', 'd', 'e') }),
      fc.record({ purgeAbove: fc.nat(12) }),
    )
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
        const lru = sized(20, 4)
        for (const o of ops) {
          if ('set' in o) lru.set(o.set, o.size)
          else if ('get' in o) lru.get(o.get)
          else if ('delete' in o) lru.delete(o.delete)
          else lru.purge((_, v) => v > o.purgeAbove)
          const held = ['a', 'b', 'c', 'd', 'e'].flatMap((k) => {
            // Reading only marks an entry, which never changes the total: safe inside the check.
            const v = lru.get(k)
            return v === undefined ? [] : [v]
          })
          expect(lru.totalSize).toBe(held.reduce((s, v) => s + v, 0))
          expect(lru.totalSize).toBeLessThanOrEqual(20)
          expect(lru.size).toBe(held.length)
        }
      }),
    )
  })
})
