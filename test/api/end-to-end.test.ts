import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createStsClient } from '../../lib/sts/client.ts'
import { randomHexId } from '../../lib/runtime/deps.ts'
import { startVendHarness, type VendHarness } from '../helpers/vend-harness.ts'

let h: VendHarness
beforeAll(async () => {
  h = await startVendHarness()
})
afterAll(() => h?.close())

describe('vend end to end: JWT caller → rendered policy → AssumeRole → credentials-URI response', () => {
  it('returns credentials the official SDK format reads, scoped to the caller, with its session name', async () => {
    const token = await h.signer.sign({ tenant: 'acme-corp' }, { sub: 'alice' })
    const res = await h.request('/v1/credentials/upload', {
      token,
      body: { parameters: { folder: 'photos' } },
    })
    expect(res.status).toBe(200)
    expect(res.headers.get('cache-control')).toBe('no-store')
    expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f]{32}$/)
    const body = res.json()
    expect(Object.keys(body).sort()).toEqual(
      [
        'AccessKeyId',
        'AccessKeySecret',
        'Code',
        'Expiration',
        'PolicySha256',
        'RefreshAfter',
        'RoleSessionName',
        'SecurityToken',
        'ServerTime',
      ].sort(),
    )
    expect(body.Code).toBe('Success')
    for (const field of ['Expiration', 'ServerTime', 'RefreshAfter'])
      expect(body[field]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/)
    expect(body.RoleSessionName).toBe('jwt.web.alice')

    const session = h.emulator.world.findSession(body.AccessKeyId)!
    expect(session.sessionPolicyText).toBe(
      '{"Version":"1","Statement":[{"Effect":"Allow","Action":["oss:PutObject"],"Resource":["acs:oss:*:*:demo-bucket/users/jwt.web.alice/photos/*"]},' +
        '{"Effect":"Allow","Action":["oss:GetObject"],"Resource":["acs:oss:*:*:demo-bucket/tenants/acme-corp/*"]}]}',
    )
    const sts = createStsClient(
      { endpoint: h.emulator.stsEndpoint },
      { fetch, now: h.emulator.now, randomId: randomHexId },
    )
    const me = await sts.getCallerIdentity({
      accessKeyId: body.AccessKeyId,
      accessKeySecret: body.AccessKeySecret,
      securityToken: body.SecurityToken,
      source: 'vended',
    })
    expect(me.arn).toBe(
      `acs:ram::${h.emulator.demo.accountId}:assumed-role/credvend-demo/jwt.web.alice`,
    )
  })

  it('GET vends without a body; the partner gets its ExternalId from config and a pseudonymous session name', async () => {
    const res = await h.request('/v1/credentials/partner', { token: h.acmeKey })
    expect(res.status).toBe(200)
    const body = res.json()
    expect(body.RoleSessionName).toMatch(/^p-[0-9a-f]{30}$/)
    expect(body.PolicySha256).toBeUndefined()
  })

  it('writes one audit line per vend, naming the caller, profile, role, session, policy hash, cache state and STS request id', async () => {
    const token = await h.signer.sign({}, { sub: 'bob' })
    const before = h.logs.filter((l) => l.type === 'audit').length
    await h.request('/v1/credentials/plain', { token })
    await h.request('/v1/credentials/plain', { token })
    const lines = h.logs.filter((l) => l.type === 'audit').slice(before)
    expect(lines).toHaveLength(2)
    expect(lines[0]).toMatchObject({
      callerId: 'jwt.web.bob',
      profile: 'plain',
      roleArn: h.emulator.demo.appRole.arn,
      sessionName: 'jwt.web.bob',
      cache: 'miss',
      outcome: 'ok',
      durationSeconds: 900,
    })
    expect(lines[0]!.stsRequestId).toMatch(/^[0-9A-F-]{36}$/)
    expect(lines[1]).toMatchObject({ cache: 'hit', outcome: 'ok' })
    expect(lines[0]!.requestId).not.toBe(lines[1]!.requestId)
  })

  it('clamps durations to the profile and defaults them', async () => {
    const token = await h.signer.sign({}, { sub: 'carol' })
    const long = (
      await h.request('/v1/credentials/plain', { token, body: { durationSeconds: 43_200 } })
    ).json()
    const lifetime = (Date.parse(long.Expiration) - Date.parse(long.ServerTime)) / 1000
    expect(lifetime).toBeGreaterThan(3590)
    expect(lifetime).toBeLessThanOrEqual(3600)
  })
})

describe('vend: only the server decides the role, the ExternalId and who may ask', () => {
  it.each([
    [{ externalId: 'attacker-chosen' }],
    [{ roleArn: 'acs:ram::1:role/admin' }],
    [{ durationSeconds: 900, policy: '{}' }],
  ])('any caller-supplied field outside the schema is a 400: %j', async (body) => {
    const calls = h.assumeRoleCalls()
    const res = await h.request('/v1/credentials/partner', { token: h.acmeKey, body })
    expect([res.status, res.json().Code]).toEqual([400, 'ERR_BAD_REQUEST'])
    expect(h.assumeRoleCalls()).toBe(calls)
  })

  it('a caller not allowed a profile gets the same 404 as for a profile that does not exist, and no STS call', async () => {
    const calls = h.assumeRoleCalls()
    const notYours = await h.request('/v1/credentials/partner', { token: h.otherKey })
    const missing = await h.request('/v1/credentials/no-such-profile', { token: h.otherKey })
    expect(notYours.status).toBe(404)
    expect(missing.status).toBe(404)
    const strip = (t: string) => ({ ...JSON.parse(t), RequestId: '' })
    expect(strip(notYours.text)).toEqual(strip(missing.text))
    expect(h.assumeRoleCalls()).toBe(calls)
  })

  it('refuses credentials in the query string, wrong content types and oversized bodies', async () => {
    const token = await h.signer.sign()
    expect((await h.request(`/v1/credentials/plain?access_token=${token}`)).json().Code).toBe(
      'ERR_CREDENTIALS_IN_QUERY',
    )
    const wrongType = await h.request('/v1/credentials/plain', {
      token,
      body: 'durationSeconds=900',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    })
    expect([wrongType.status, wrongType.json().Code]).toEqual([415, 'ERR_UNSUPPORTED_MEDIA_TYPE'])
    const big = await h.request('/v1/credentials/plain', {
      token,
      body: { parameters: { folder: 'x'.repeat(9000), other: 'y'.repeat(9000) } },
    })
    expect([big.status, big.json().Code]).toEqual([413, 'ERR_BODY_TOO_LARGE'])
    const notJson = await h.request('/v1/credentials/plain', { token, body: '{nope' })
    expect([notJson.status, notJson.json().Code]).toEqual([400, 'ERR_BAD_REQUEST'])
  })
})
