import { describe, expect, it } from 'vitest'
import { sessionNameFor } from '../../../lib/vend/session-name.ts'

const STS_NAME = /^[A-Za-z0-9.@_-]{2,32}$/

describe('session names', () => {
  it('use caller.id when it fits 32 characters', async () => {
    expect(await sessionNameFor('jwt.web.alice', 'caller', undefined)).toBe('jwt.web.alice')
  })

  it('hash longer ids into 32 characters, keeping a readable prefix and telling callers apart', async () => {
    const a = await sessionNameFor('jwt.web.alice.smith@example.com.very.long', 'caller', undefined)
    const b = await sessionNameFor('jwt.web.alice.smith@example.com.very.lonG', 'caller', undefined)
    expect(a).toMatch(STS_NAME)
    expect(a).toHaveLength(32)
    expect(a.startsWith('jwt.web.alice.smith')).toBe(true)
    expect(a).not.toBe(b)
  })

  it('are a keyed hash in pseudonymous mode: stable per key, different across keys, no id inside', async () => {
    const one = await sessionNameFor('jwt.web.alice', 'pseudonymous', 'key-1')
    expect(one).toMatch(STS_NAME)
    expect(one).not.toContain('alice')
    expect(await sessionNameFor('jwt.web.alice', 'pseudonymous', 'key-1')).toBe(one)
    expect(await sessionNameFor('jwt.web.alice', 'pseudonymous', 'key-2')).not.toBe(one)
  })
})
