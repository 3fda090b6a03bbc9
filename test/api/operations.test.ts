import { afterEach, describe, expect, it } from 'vitest'
import { startVendHarness, type VendHarness } from '../helpers/vend-harness.ts'

let h: VendHarness | undefined
afterEach(async () => {
  await h?.close()
  h = undefined
})

describe('operations take effect at once', () => {
  it('disabling a profile: 404 immediately, its cached credentials purged, other profiles untouched', async () => {
    h = await startVendHarness()
    const token = await h.signer.sign()
    await h.request('/v1/credentials/plain', { token })
    await h.request('/v1/credentials/partner', { token: h.acmeKey })
    expect(h.credvend.stats().cacheEntries).toBe(2)
    h.credvend.disableProfile('plain')
    expect(h.credvend.stats().cacheEntries).toBe(1)
    expect((await h.request('/v1/credentials/plain', { token })).status).toBe(404)
    expect((await h.request('/v1/credentials/partner', { token: h.acmeKey })).status).toBe(200)
    expect(h.logs.some((l) => l.event === 'profile-disabled' && l.purgedEntries === 1)).toBe(true)
  })

  it('revoking an API key: 401 ERR_AUTH_KEY_REVOKED immediately, its cached credentials purged', async () => {
    h = await startVendHarness()
    await h.request('/v1/credentials/partner', { token: h.acmeKey })
    const calls = h.assumeRoleCalls()
    h.credvend.revokeApiKey('acme')
    expect(h.credvend.stats().cacheEntries).toBe(0)
    const res = await h.request('/v1/credentials/partner', { token: h.acmeKey })
    expect([res.status, res.json().Code]).toEqual([401, 'ERR_AUTH_KEY_REVOKED'])
    expect(h.assumeRoleCalls()).toBe(calls)
  })

  it('a reload is atomic and credentials granted under the old rules are never served again', async () => {
    h = await startVendHarness()
    const token = await h.signer.sign()
    const before = (await h.request('/v1/credentials/plain', { token })).json()
    const oldGeneration = h.credvend.generation
    const next = { ...JSON.parse(JSON.stringify(h.config)), profiles: { ...h.config.profiles } }
    next.profiles.plain = { ...next.profiles.plain, durationSeconds: { default: 1200, max: 3600 } }
    await h.reload(JSON.stringify(next))
    expect(h.credvend.generation).not.toBe(oldGeneration)
    const after = (await h.request('/v1/credentials/plain', { token })).json()
    expect(after.AccessKeyId).not.toBe(before.AccessKeyId)
    expect(h.assumeRoleCalls()).toBe(2)
  })

  it('a reload that changes a template: no rendering of the old template is served again', async () => {
    h = await startVendHarness()
    const token = await h.signer.sign({ tenant: 'acme-corp' }, { sub: 'alice' })
    const vend = async (profile: string, body?: unknown) => {
      const res = await h!.request(`/v1/credentials/${profile}`, { token, body })
      expect(res.status).toBe(200)
      const json = res.json()
      return { json, policy: h!.emulator.world.findSession(json.AccessKeyId)!.sessionPolicyText }
    }
    const folder = { parameters: { folder: 'photos' } }
    const before = { upload: await vend('upload', folder), photos: await vend('photos') }
    expect(before.upload.policy).toContain('demo-bucket/users/jwt.web.alice/photos/*')
    expect(before.photos.json.Prefix).toBe('users/jwt.web.alice/')
    // The same values again: served from the caches, with the same policy.
    expect((await vend('upload', folder)).json.PolicySha256).toBe(before.upload.json.PolicySha256)

    const next = JSON.parse(JSON.stringify(h.config))
    next.profiles.upload.sessionPolicy.Statement[0].Resource = [
      'acs:oss:*:*:demo-bucket/inbox/${caller.id}/${params.folder}/*',
    ]
    next.profiles.photos.prefix = 'members/${caller.id}/'
    await h.reload(JSON.stringify(next))

    const after = { upload: await vend('upload', folder), photos: await vend('photos') }
    expect(after.upload.policy).toContain('demo-bucket/inbox/jwt.web.alice/photos/*')
    expect(after.upload.policy).not.toContain('demo-bucket/users/')
    expect(after.upload.json.PolicySha256).not.toBe(before.upload.json.PolicySha256)
    expect(after.photos.json.Prefix).toBe('members/jwt.web.alice/')
    expect(after.photos.policy).toContain('members/jwt.web.alice/')
    expect(after.photos.policy).not.toContain('users/jwt.web.alice/')
  })

  it('an invalid new config is refused as a whole and the running one stays', async () => {
    h = await startVendHarness()
    const generation = h.credvend.generation
    await expect(h.reload('{"region":"cn-hangzhou"}')).rejects.toMatchObject({
      code: 'ERR_CONFIG_INVALID',
    })
    expect(h.credvend.generation).toBe(generation)
    expect(
      (await h.request('/v1/credentials/plain', { token: await h.signer.sign() })).status,
    ).toBe(200)
  })
})
