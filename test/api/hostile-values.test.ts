import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startVendHarness, type VendHarness } from '../helpers/vend-harness.ts'

let h: VendHarness
beforeAll(async () => {
  h = await startVendHarness()
})
afterAll(() => h?.close())

const HOSTILE: Array<[string, string]> = [
  ['a wildcard *', '*'],
  ['a wildcard ?', 'a?c'],
  ['a path separator', 'a/b'],
  ['a parent segment', '..'],
  ['a dot-dot inside', 'a..b'],
  ['a quote', 'a"b'],
  ['a template opener', '${caller.id}'],
  ['a newline', 'a\nb'],
  ['a NUL', 'a\u0000b'],
  ['a look-alike (Cyrillic а)', 'аlice'],
  ['a fullwidth look-alike', 'ａlice'],
  ['10 KB', 'a'.repeat(10 * 1024)],
  ['empty', ''],
]

const GOLDEN =
  '{"Version":"1","Statement":[{"Effect":"Allow","Action":["oss:PutObject"],"Resource":["acs:oss:*:*:demo-bucket/users/jwt.web.mallory/photos-2024/*"]},' +
  '{"Effect":"Allow","Action":["oss:GetObject"],"Resource":["acs:oss:*:*:demo-bucket/tenants/acme-corp/*"]}]}'

/** A benign vend must match the golden policy exactly, proving the refusals are about the value alone. */
const benign = async (token: string, folder: string) => {
  const res = await h.request('/v1/credentials/upload', { token, body: { parameters: { folder } } })
  expect(res.status).toBe(200)
  expect(h.emulator.world.findSession(res.json().AccessKeyId)!.sessionPolicyText).toBe(GOLDEN)
}

describe('hostile template values are refused before any STS call', () => {
  describe.each(HOSTILE)('%s', (_name, value) => {
    it('as a request parameter → 400 ERR_POLICY_VALUE, zero STS calls; a benign sibling renders the golden policy', async () => {
      const token = await h.signer.sign({ tenant: 'acme-corp' }, { sub: 'mallory' })
      const calls = h.assumeRoleCalls()
      const res = await h.request('/v1/credentials/upload', {
        token,
        body: { parameters: { folder: value } },
      })
      expect([res.status, res.json().Code]).toEqual([400, 'ERR_POLICY_VALUE'])
      expect(h.assumeRoleCalls()).toBe(calls)
      await benign(token, 'photos-2024')
    })

    it('as a token claim → 400 ERR_POLICY_VALUE, zero STS calls; a benign sibling renders the golden policy', async () => {
      const token = await h.signer.sign({ tenant: value }, { sub: 'mallory' })
      const calls = h.assumeRoleCalls()
      const res = await h.request('/v1/credentials/upload', {
        token,
        body: { parameters: { folder: 'photos-2024' } },
      })
      expect([res.status, res.json().Code]).toEqual([400, 'ERR_POLICY_VALUE'])
      expect(h.assumeRoleCalls()).toBe(calls)
      await benign(await h.signer.sign({ tenant: 'acme-corp' }, { sub: 'mallory' }), 'photos-2024')
    })
  })

  it('a hostile value is refused even when a rendering and credentials for a benign one are cached', async () => {
    const token = await h.signer.sign({ tenant: 'acme-corp' }, { sub: 'mallory' })
    await benign(token, 'photos-2024')
    await benign(token, 'photos-2024')
    const calls = h.assumeRoleCalls()
    for (const [, value] of HOSTILE) {
      const res = await h.request('/v1/credentials/upload', {
        token,
        body: { parameters: { folder: value } },
      })
      expect([res.status, res.json().Code]).toEqual([400, 'ERR_POLICY_VALUE'])
      const claimed = await h.signer.sign({ tenant: value }, { sub: 'mallory' })
      const byClaim = await h.request('/v1/credentials/upload', {
        token: claimed,
        body: { parameters: { folder: 'photos-2024' } },
      })
      expect([byClaim.status, byClaim.json().Code]).toEqual([400, 'ERR_POLICY_VALUE'])
    }
    expect(h.assumeRoleCalls()).toBe(calls)
  })

  it('a hostile subject never reaches the policy raw: it is hashed into caller.id', async () => {
    const token = await h.signer.sign({ tenant: 'acme-corp' }, { sub: '*' })
    const res = await h.request('/v1/credentials/upload', {
      token,
      body: { parameters: { folder: 'x' } },
    })
    expect(res.status).toBe(200)
    const policy = h.emulator.world.findSession(res.json().AccessKeyId)!.sessionPolicyText!
    expect(policy).toMatch(/users\/jwth\.web\.[0-9a-f]{32}\/x\/\*/)
  })

  it('an undeclared parameter is a 400, a missing declared one too, both with zero STS calls', async () => {
    const token = await h.signer.sign({ tenant: 'acme-corp' })
    const calls = h.assumeRoleCalls()
    expect(
      (
        await h.request('/v1/credentials/upload', {
          token,
          body: { parameters: { folder: 'a', bucket: 'other' } },
        })
      ).json().Code,
    ).toBe('ERR_BAD_REQUEST')
    expect((await h.request('/v1/credentials/upload', { token, body: {} })).json().Code).toBe(
      'ERR_BAD_REQUEST',
    )
    expect(h.assumeRoleCalls()).toBe(calls)
  })
})
