import { describe, expect, it } from 'vitest'
import { presignRefusal } from '../../../lib/vend/presign-url.ts'

const PREFIX = 'users/alice/'

describe('presignRefusal', () => {
  it('allows a method only where the profile’s presets grant its RAM action', () => {
    const put = { method: 'PUT', key: `${PREFIX}a.png`, contentType: 'image/png' } as const
    const get = { method: 'GET', key: `${PREFIX}a.png` } as const
    expect(presignRefusal({ actions: ['put'] }, PREFIX, put)).toBeUndefined()
    expect(presignRefusal({ actions: ['multipart'] }, PREFIX, put)).toBeUndefined()
    expect(presignRefusal({ actions: ['read', 'list'] }, PREFIX, put)).toMatch(/does not allow PUT/)
    expect(presignRefusal({ actions: ['read'] }, PREFIX, get)).toBeUndefined()
    expect(presignRefusal({ actions: ['put', 'delete'] }, PREFIX, get)).toMatch(
      /does not allow GET/,
    )
  })

  it('takes a key of exactly 1023 bytes and refuses 1024, and refuses control characters', () => {
    const at = (bytes: number) => `${PREFIX}${'a'.repeat(bytes - PREFIX.length)}`
    const get = (key: string) =>
      presignRefusal({ actions: ['read'] }, PREFIX, { method: 'GET', key })
    expect(get(at(1023))).toBeUndefined()
    expect(get(at(1024))).toMatch(/exceeds 1023 bytes/)
    expect(get(`${PREFIX}a\nb`)).toMatch(/control characters/)
    expect(get(`${PREFIX}a\u007fb`)).toMatch(/control characters/)
    expect(get(`${PREFIX}..x/y`)).toBeUndefined()
  })
})
