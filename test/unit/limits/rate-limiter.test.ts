import { describe, expect, it } from 'vitest'
import { addressKey } from '../../../lib/limits/address-key.ts'
import { createRateLimiter } from '../../../lib/limits/rate-limiter.ts'

const clock = () => {
  let ms = 1_000_000
  return {
    now: () => new Date(ms),
    advance: (by: number) => void (ms += by),
    set: (to: number) => void (ms = to),
  }
}

describe('rate limiter', () => {
  it('lets a burst through, then one per interval, and says how long to wait', () => {
    const c = clock()
    const limiter = createRateLimiter({ perSecond: 2, burst: 3 }, { maxKeys: 100, now: c.now })
    expect([1, 2, 3].map(() => limiter.take('a'))).toEqual([undefined, undefined, undefined])
    expect(limiter.take('a')).toBe(1)
    expect(limiter.take('b')).toBeUndefined() // keys are independent
    c.advance(499)
    expect(limiter.take('a')).toBe(1)
    c.advance(1)
    expect(limiter.take('a')).toBeUndefined()
    expect(limiter.take('a')).toBe(1)
  })

  it('a slow limit asks for the whole wait', () => {
    const c = clock()
    const limiter = createRateLimiter({ perSecond: 0.1, burst: 1 }, { maxKeys: 100, now: c.now })
    expect(limiter.take('a')).toBeUndefined()
    expect(limiter.take('a')).toBe(10)
    c.advance(9_000)
    expect(limiter.take('a')).toBe(1)
  })

  it('null turns the limit off; memory stays within maxKeys', () => {
    const c = clock()
    expect(
      Array.from({ length: 1000 }, () =>
        createRateLimiter(null, { maxKeys: 100, now: c.now }).take('a'),
      ).every((w) => w === undefined),
    ).toBe(true)
    const limiter = createRateLimiter({ perSecond: 1, burst: 1 }, { maxKeys: 100, now: c.now })
    for (let i = 0; i < 1000; i++) limiter.take(`k${i}`)
    expect(limiter.size).toBe(100)
  })

  it('a clock stepping back does not lock a key out for the difference', () => {
    const c = clock()
    const limiter = createRateLimiter({ perSecond: 1, burst: 1 }, { maxKeys: 100, now: c.now })
    c.advance(3_600_000)
    expect(limiter.take('a')).toBeUndefined()
    c.advance(-3_600_000)
    expect(limiter.take('a')).toBeUndefined()
    expect(limiter.take('a')).toBe(1)
  })
})

describe('source address keys', () => {
  it('IPv4 as is, IPv4-mapped IPv6 as IPv4, IPv6 by its /64', () => {
    expect(addressKey('203.0.113.9')).toBe('203.0.113.9')
    expect(addressKey('::ffff:203.0.113.9')).toBe('203.0.113.9')
    expect(addressKey('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64')
    expect(addressKey('2001:0db8:0001:0002:ffff:ffff:ffff:ffff')).toBe('2001:db8:1:2::/64')
    expect(addressKey('2001:db8::1')).toBe('2001:db8:0:0::/64')
    expect(addressKey('::1')).toBe('0:0:0:0::/64')
    expect(addressKey('fe80::1%eth0')).toBe('fe80:0:0:0::/64')
  })
})
