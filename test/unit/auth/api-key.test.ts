import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { decodeJwt } from 'jose'
import { createApiKey, verifyApiKey, type ApiKeyRecord } from '../../../lib/auth/api-key.ts'

const bytes = (n: number) => new Uint8Array(randomBytes(n))
const NOW = new Date('2026-11-25T00:00:00Z')

describe('API keys', () => {
  it('are cvk_<id>_<43 chars> and can never parse as a JWT', async () => {
    const { key, sha256 } = await createApiKey('acme', bytes)
    expect(key).toMatch(/^cvk_acme_[A-Za-z0-9_-]{43}$/)
    expect(sha256).toMatch(/^[0-9a-f]{64}$/)
    expect(() => decodeJwt(key)).toThrow()
  })

  it('verify against any of several digests (rotation), and not after expiry', async () => {
    const old = await createApiKey('acme', bytes)
    const current = await createApiKey('acme', bytes)
    const keys = new Map<string, ApiKeyRecord>([
      [
        'acme',
        {
          id: 'acme',
          digests: [old.sha256, current.sha256],
          expiresAtMs: Date.parse('2027-01-01T00:00:00Z'),
          disabled: false,
        },
      ],
    ])
    expect((await verifyApiKey(old.key, keys, new Set(), NOW)).id).toBe('key.acme')
    expect((await verifyApiKey(current.key, keys, new Set(), NOW)).id).toBe('key.acme')
    await expect(
      verifyApiKey(current.key, keys, new Set(), new Date('2027-01-01T00:00:00Z')),
    ).rejects.toMatchObject({ code: 'ERR_AUTH_KEY_EXPIRED' })
    await expect(verifyApiKey(current.key, keys, new Set(['acme']), NOW)).rejects.toMatchObject({
      code: 'ERR_AUTH_KEY_REVOKED',
    })
  })

  it('answer an unknown id, a wrong secret and a malformed key alike', async () => {
    const { key, sha256 } = await createApiKey('acme', bytes)
    const keys = new Map<string, ApiKeyRecord>([
      ['acme', { id: 'acme', digests: [sha256], expiresAtMs: undefined, disabled: false }],
    ])
    for (const bad of [
      key.replace('acme', 'acmf'),
      `${key.slice(0, -2)}zz`,
      'cvk_acme_short',
      `${key} `,
    ]) {
      await expect(verifyApiKey(bad, keys, new Set(), NOW)).rejects.toMatchObject({
        code: 'ERR_AUTH_KEY_INVALID',
      })
    }
  })
})
