import { describe, expect, it } from 'vitest'
import { createRandomHexId } from '../../../lib/runtime/random-id.ts'

describe('pooled random ids', () => {
  it('are 32 hex characters, distinct, and refill the pool from the CSPRNG only when it runs out', () => {
    let fills = 0
    const next = createRandomHexId((b) => {
      fills++
      crypto.getRandomValues(b)
    })
    const ids = Array.from({ length: 1000 }, next)
    expect(ids.every((id) => /^[0-9a-f]{32}$/.test(id))).toBe(true)
    expect(new Set(ids).size).toBe(1000)
    expect(fills).toBe(Math.ceil(1000 / 256))
  })
})
