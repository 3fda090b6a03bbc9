import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEMO_ACCOUNT_ID, DEMO_PARTNER_ACCOUNT_ID } from '../../lib/emulator/demo-world.ts'
import {
  makeSigner,
  startVendHarness,
  type VendHarness,
  withIssuers,
} from '../helpers/vend-harness.ts'

const PARTNER_IDP = 'https://idp.partner-b.example'
const HUB = `acs:ram::${DEMO_ACCOUNT_ID}:role/credvend-hub`
const chain = {
  kind: 'sts' as const,
  allow: [{ apiKey: 'acme' }],
  roleArn: `acs:ram::${DEMO_PARTNER_ACCOUNT_ID}:role/credvend-partner-via-hub`,
  externalId: { env: 'PARTNER_EXTERNAL_ID' },
  sessionName: 'pseudonymous' as const,
  sourceIdentity: true,
  durationSeconds: 900,
}

let h: VendHarness
let partnerIdp: Awaited<ReturnType<typeof makeSigner>>

beforeAll(async () => {
  partnerIdp = await makeSigner('ES256', 'partner-b-1')
  h = await startVendHarness({
    config: (c) => ({
      // Partner B signs in with its own IdP's tokens instead of an API key.
      ...withIssuers(c, {
        id: 'partner-b',
        issuer: PARTNER_IDP,
        audience: 'credvend',
        algorithms: ['ES256'],
        jwks: { keys: [partnerIdp.jwk] },
      }),
      profiles: {
        ...c.profiles,
        // credvend → hub (credvend's account) → partner role (the partner's account).
        'acme-chain': { ...chain, via: [{ roleArn: HUB, durationSeconds: 900 }] },
        'acme-chain-long-hub': {
          ...chain,
          via: [{ roleArn: HUB, durationSeconds: 3600 }],
          sourceIdentity: false,
        },
        // The direct partner role trusts credvend's own identity, not the hub.
        'acme-chain-wrong': {
          ...chain,
          roleArn: `acs:ram::${DEMO_PARTNER_ACCOUNT_ID}:role/credvend-partner-demo`,
          via: [{ roleArn: HUB }],
        },
        'partner-b': {
          kind: 'sts',
          allow: [{ jwt: 'partner-b', sub: 'svc-reports' }],
          roleArn: `acs:ram::${DEMO_PARTNER_ACCOUNT_ID}:role/credvend-partner-demo`,
          externalId: { env: 'PARTNER_EXTERNAL_ID' },
          sessionName: 'pseudonymous',
          durationSeconds: 900,
        },
      },
    }),
  })
})
afterAll(() => h.close())

describe('partners', () => {
  it("partner A's key cannot obtain partner B's profile: 404, and no STS call", async () => {
    const before = h.assumeRoleCalls()
    const res = await h.request('/v1/credentials/partner', { token: h.otherKey })
    expect([res.status, res.json().Code]).toEqual([404, 'ERR_NOT_FOUND'])
    expect(h.assumeRoleCalls()).toBe(before)
    expect((await h.request('/v1/credentials/partner', { token: h.acmeKey })).status).toBe(200)
  })

  it('a caller-supplied ExternalId is a 400 before any STS call, in the body or the query', async () => {
    const before = h.assumeRoleCalls()
    for (const body of [
      { externalId: 'chosen-by-caller' },
      { ExternalId: 'chosen-by-caller' },
      { roleArn: h.emulator.demo.partnerRole.arn },
    ]) {
      const res = await h.request('/v1/credentials/partner', { token: h.acmeKey, body })
      expect([res.status, res.json().Code], JSON.stringify(body)).toEqual([400, 'ERR_BAD_REQUEST'])
    }
    expect(
      (await h.request('/v1/credentials/partner?ExternalId=x', { token: h.acmeKey })).status,
    ).toBe(400)
    expect(h.assumeRoleCalls()).toBe(before)
  })
})

describe('cross-account chains', () => {
  it("vends through the hub: the last hop's session is pseudonymous in the partner's account and carries SourceIdentity", async () => {
    const before = h.assumeRoleCalls()
    const res = await h.request('/v1/credentials/acme-chain', { token: h.acmeKey })
    expect(res.status, res.text).toBe(200)
    const body = res.json()
    expect(h.assumeRoleCalls() - before).toBe(2)
    const session = h.emulator.world.findSession(body.AccessKeyId)!
    expect(session.role.arn).toBe(h.emulator.demo.partnerChainRole.arn)
    expect(session.accountId).toBe(DEMO_PARTNER_ACCOUNT_ID)
    expect(session.sessionName).toMatch(/^p-[0-9a-f]{30}$/)
    expect(body.RoleSessionName).toBe(session.sessionName)
    expect(session.sessionName).not.toContain('acme')
    expect(session.sourceIdentity).toBe('key.acme')
  })

  it('keeps working after the first hop expires, with no more STS calls than hops per refresh', async () => {
    const calls = () => h.assumeRoleCalls()
    h.emulator.clock.reset()
    await h.request('/v1/credentials/acme-chain', { token: h.acmeKey })
    const start = calls()
    expect((await h.request('/v1/credentials/acme-chain', { token: h.acmeKey })).status).toBe(200)
    expect(calls()).toBe(start) // served from cache while every link is valid
    try {
      for (let lifetime = 1; lifetime <= 3; lifetime++) {
        h.emulator.clock.shift(lifetime * 901 * 1000) // past the hub's 900 s and the vend's
        const res = await h.request('/v1/credentials/acme-chain', { token: h.acmeKey })
        expect(res.status, res.text).toBe(200)
        expect(calls() - start, `lifetime ${lifetime}`).toBe(2 * lifetime) // hub + partner role, nothing more
        const session = h.emulator.world.findSession(res.json().AccessKeyId)!
        expect(session.expiresAt.getTime()).toBeGreaterThan(h.emulator.now().getTime())
      }
    } finally {
      h.emulator.clock.reset()
    }
  })

  it('a hub session that outlives the vend is reused: one STS call per refresh', async () => {
    await h.request('/v1/credentials/acme-chain-long-hub', { token: h.acmeKey })
    const start = h.assumeRoleCalls()
    try {
      h.emulator.clock.shift(901 * 1000) // the vend's 900 s are over, the hub's 3,600 s are not
      expect(
        (await h.request('/v1/credentials/acme-chain-long-hub', { token: h.acmeKey })).status,
      ).toBe(200)
      expect(h.assumeRoleCalls() - start).toBe(1)
    } finally {
      h.emulator.clock.reset()
    }
  })

  it('a hub that is not trusted to reach the partner role fails closed with the STS refusal', async () => {
    const res = await h.request('/v1/credentials/acme-chain-wrong', { token: h.acmeKey })
    expect([res.status, res.json().Code]).toEqual([502, 'ERR_STS_DENIED'])
    expect(res.text).not.toContain('NoPermission')
  })
})

describe('partner OIDC', () => {
  it("a partner authenticates with its own IdP's tokens; other issuers and subjects see 404", async () => {
    const ok = await h.request('/v1/credentials/partner-b', {
      token: await partnerIdp.sign({}, { iss: PARTNER_IDP, sub: 'svc-reports' }),
    })
    expect(ok.status, ok.text).toBe(200)
    const session = h.emulator.world.findSession(ok.json().AccessKeyId)!
    expect(session.role.arn).toBe(h.emulator.demo.partnerRole.arn)
    expect(session.sessionName).toMatch(/^p-[0-9a-f]{30}$/)
    const before = h.assumeRoleCalls()
    const otherSub = await h.request('/v1/credentials/partner-b', {
      token: await partnerIdp.sign({}, { iss: PARTNER_IDP, sub: 'svc-other' }),
    })
    expect(otherSub.status).toBe(404)
    const web = await h.request('/v1/credentials/partner-b', {
      token: await h.signer.sign({}, { sub: 'svc-reports' }),
    })
    expect(web.status).toBe(404)
    // A token signed by partner B's key but naming another issuer is not partner B's.
    const forged = await h.request('/v1/credentials/partner-b', {
      token: await partnerIdp.sign({}, { sub: 'svc-reports' }),
    })
    expect(forged.status).toBe(401)
    expect(h.assumeRoleCalls()).toBe(before)
  })
})
