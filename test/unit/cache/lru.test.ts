import { describe, expect, it, vi } from 'vitest'
import { createLru } from '../../../lib/cache/lru.ts'

/** An LRU filled with `keys` in order, each mapped to its upper-case form. */
const filled = (capacity: number, ...keys: string[]) => {
  const lru = createLru<string, string>(capacity)
  for (const k of keys) lru.set(k, k.toUpperCase())
  return lru
}

const present = (lru: ReturnType<typeof filled>, ...keys: string[]) =>
  keys.filter((k) => lru.get(k) !== undefined)

describe('createLru', () => {
  it('never holds more than its capacity', () => {
    const lru = createLru<number, number>(3)
    for (let i = 0; i < 50; i++) {
      lru.set(i, i)
      expect(lru.size).toBeLessThanOrEqual(3)
    }
    expect(lru.size).toBe(3)
  })

  it('evicts the least recently inserted entry first', () => {
    const lru = filled(3, 'a', 'b', 'c')
    lru.set('d', 'D')
    expect(lru.get('a')).toBeUndefined()
    lru.set('e', 'E')
    expect(lru.get('b')).toBeUndefined()
    expect(present(lru, 'c', 'd', 'e')).toEqual(['c', 'd', 'e'])
  })

  it('get refreshes recency, so a read entry outlives older unread ones', () => {
    const lru = filled(3, 'a', 'b', 'c')
    expect(lru.get('a')).toBe('A')
    lru.set('d', 'D')
    expect(lru.get('b')).toBeUndefined()
    expect(lru.get('a')).toBe('A')
  })

  it('set on an existing key replaces its value, refreshes it and does not grow', () => {
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
