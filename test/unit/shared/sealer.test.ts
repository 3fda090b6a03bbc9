import { describe, expect, it } from 'vitest'
import { createSealer } from '../../../lib/store/sealer.ts'

const K1 = { id: 'k1', secret: 'a'.repeat(32) }
const K2 = { id: 'k2', secret: 'b'.repeat(32) }

describe('the sealer of shared values', () => {
  it('opens what it sealed only under the same associated data', async () => {
    const sealer = await createSealer([K1])
    const sealed = await sealer.seal('{"secret":"s3cr3t"}', 'vend\ncaller-a')
    expect(sealed).not.toContain('s3cr3t')
    expect(await sealer.open(sealed, 'vend\ncaller-a')).toEqual({
      plaintext: '{"secret":"s3cr3t"}',
    })
    expect(await sealer.open(sealed, 'vend\ncaller-b')).toEqual({ failure: 'tampered' })
  })

  it('refuses an altered value, a truncated one and one sealed by a key it does not know', async () => {
    const sealer = await createSealer([K1])
    const sealed = await sealer.seal('value', 'key')
    const [v, id, iv, body] = sealed.split('.')
    const flipped = `${v}.${id}.${iv}.${body!.startsWith('A') ? 'B' : 'A'}${body!.slice(1)}`
    expect(await sealer.open(flipped, 'key')).toEqual({ failure: 'tampered' })
    expect(await sealer.open(`${v}.${id}.${iv}`, 'key')).toEqual({ failure: 'tampered' })
    expect(await sealer.open(`${v}.${id}.!!.${body}`, 'key')).toEqual({ failure: 'tampered' })
    expect(await (await createSealer([K2])).open(sealed, 'key')).toEqual({ failure: 'unknown-key' })
    // Same id, another secret: the id is only a hint, the key must still match.
    expect(
      await (await createSealer([{ id: 'k1', secret: 'c'.repeat(32) }])).open(sealed, 'key'),
    ).toEqual({ failure: 'tampered' })
  })

  it('rotates: the new key seals and names writes, the old one still opens and names reads', async () => {
    const before = await createSealer([K1])
    const after = await createSealer([K2, K1])
    const sealedBefore = await before.seal('v', 'key')
    expect(await after.open(sealedBefore, 'key')).toEqual({ plaintext: 'v' })
    expect((await after.seal('v', 'key')).split('.')[1]).toBe('k2')
    expect(await after.name('key')).not.toBe(await before.name('key'))
    expect(await after.names('key')).toEqual([await after.name('key'), await before.name('key')])
  })

  it('names are keyed HMACs: stable, and carrying nothing of the name they stand for', async () => {
    const sealer = await createSealer([K1])
    const name = await sealer.name('gen\njwt.web.alice\nprofile')
    expect(name).toBe(await sealer.name('gen\njwt.web.alice\nprofile'))
    expect(name).toMatch(/^k1\.[A-Za-z0-9_-]{43}$/)
    expect(name).not.toContain('alice')
    expect(name).not.toBe(
      await (
        await createSealer([{ id: 'k1', secret: 'd'.repeat(32) }])
      ).name('gen\njwt.web.alice\nprofile'),
    )
  })
})
