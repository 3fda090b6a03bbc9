import { describe, expect, it } from 'vitest'
import { sessionNameFor, sourceIdentityFor } from '../../../lib/vend/session-name.ts'
import { SOURCE_IDENTITY } from '../../../lib/sts/schemas.ts'

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
    expect(a.startsWith('h-jwt.web.al')).toBe(true)
    expect(a).not.toBe(b)
  })

  it('a hashed name can never be reproduced by another caller whose plain id spells it out', async () => {
    const hashed = await sessionNameFor('jwt.web.' + 'x'.repeat(40), 'caller', undefined)
    // A caller whose id is exactly that text does not get it: derived prefixes are never passed through.
    expect(await sessionNameFor(hashed, 'caller', undefined)).not.toBe(hashed)
    // The old scheme (readable prefix + 12 hex) is a plain id that now stays itself, so it cannot
    // equal any hashed name, all of which start with `h-`.
    const oldShape = 'jwt.web.xxxxxxxxxxx-0123456789ab'
    expect(await sessionNameFor(oldShape, 'caller', undefined)).toBe(oldShape)
    expect(hashed.startsWith('h-')).toBe(true)
  })

  it('are a keyed hash in pseudonymous mode: stable per key, different across keys, no id inside', async () => {
    const one = await sessionNameFor('jwt.web.alice', 'pseudonymous', 'key-1')
    expect(one).toMatch(STS_NAME)
    expect(one).not.toContain('alice')
    expect(await sessionNameFor('jwt.web.alice', 'pseudonymous', 'key-1')).toBe(one)
    expect(await sessionNameFor('jwt.web.alice', 'pseudonymous', 'key-2')).not.toBe(one)
  })
})

describe('SourceIdentity', () => {
  it('is the caller id when it fits 64 characters', async () => {
    expect(await sourceIdentityFor('key.partner-a')).toBe('key.partner-a')
  })

  it('is never a truncation: two ids sharing their first 64 characters get different values', async () => {
    const common = 'jwt.web.' + 'a'.repeat(60)
    const one = await sourceIdentityFor(`${common}-one`)
    const two = await sourceIdentityFor(`${common}-two`)
    expect(one).not.toBe(two)
    expect(one).toMatch(SOURCE_IDENTITY)
    expect(one.length).toBeLessThanOrEqual(64)
    expect(one).not.toBe(common.slice(0, 64))
  })
})
