import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { formatTimestamp } from '../../../lib/signing/timestamp.ts'

const reference = (date: Date) => date.toISOString().replace(/\.\d{3}Z$/, 'Z')

describe('formatTimestamp', () => {
  it('writes YYYY-MM-DDThh:mm:ssZ, milliseconds dropped', () => {
    expect(formatTimestamp(new Date('2026-12-03T10:15:30.987Z'))).toBe('2026-12-03T10:15:30Z')
    expect(formatTimestamp(new Date('1969-12-31T23:59:59.500Z'))).toBe('1969-12-31T23:59:59Z')
  })

  it('gives every instant its own second, whatever was formatted before (remembered seconds collide)', () => {
    // Instants 64 s apart share a remembered slot; repeats and neighbours come back from memory.
    const instant = fc.oneof(
      fc.integer({ min: 0, max: 4_102_444_800_000 }),
      fc.integer({ min: 0, max: 200 }).map((k) => 1_796_292_694_000 + k * 64_000 + (k % 3) * 999),
    )
    fc.assert(
      fc.property(fc.array(instant, { minLength: 1, maxLength: 50 }), (times) => {
        for (const ms of [...times, ...times.reverse()])
          expect(formatTimestamp(new Date(ms))).toBe(reference(new Date(ms)))
      }),
      { numRuns: 300 },
    )
  })

  it('still refuses an invalid date', () => {
    expect(() => formatTimestamp(new Date(Number.NaN))).toThrow(RangeError)
  })
})
