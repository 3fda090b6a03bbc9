import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEMO_ACCOUNT_ID, DEMO_PARTNER_ACCOUNT_ID } from '../../lib/emulator/demo-world.ts'
import { renderTrustPolicy } from '../../lib/partners/trust-policy.ts'
import { alibabaLoginBody } from '../../lib/session/login-body.ts'
import { alibabaSessionBearer } from '../../lib/session/login-client.ts'
import { fromStatic } from '../../lib/credentials/provider.ts'
import { startAgent } from '../../functions/node/cli/agent.ts'
import { listenLoopback } from '../../functions/node/cli/local/local-emulator.ts'
import { startVendHarness, type VendHarness } from '../helpers/vend-harness.ts'

let h: VendHarness
let nonce = 0

/** STS credentials of a role session in the emulator, as an ECS instance or FC function would hold. */
const sessionOf = (account: string, roleName: string, sessionName = 'i-0123456789') => {
  const role =
    h.emulator.world.findRole(account, roleName) ??
    h.emulator.world.createRole(account, roleName, {
      trustPolicy: renderTrustPolicy({ trusted: h.emulator.demo.vendorArn }),
    })
  const s = h.emulator.world.issueSession(role, { sessionName, durationSeconds: 3600 })
  return {
    accessKeyId: s.accessKeyId,
    accessKeySecret: s.accessKeySecret,
    securityToken: s.securityToken,
    source: 'test',
  }
}

const signedBody = (creds: ReturnType<typeof sessionOf>, at = h.emulator.now()) =>
  alibabaLoginBody(creds, { now: at, nonce: `nonce-${Date.now()}-${nonce++}` })

const login = (body: unknown) => h.request('/v1/session/alibaba', { method: 'POST', body })
const stsLogins = () => h.emulator.calls.byAction.get('GetCallerIdentity') ?? 0

beforeAll(async () => {
  h = await startVendHarness({
    config: (c, emulator) => ({
      ...c,
      callers: {
        ...c.callers,
        alibaba: {
          enabled: true,
          accounts: [DEMO_ACCOUNT_ID],
          sessionTokenKey: { env: 'SESSION_TOKEN_KEY' },
        },
      },
      profiles: {
        ...c.profiles,
        'host-creds': {
          kind: 'sts',
          allow: [{ alibaba: { account: DEMO_ACCOUNT_ID, role: 'billing-host' } }],
          roleArn: `acs:ram::${DEMO_ACCOUNT_ID}:role/credvend-demo`,
          durationSeconds: 3600,
        },
        // Allows credvend-demo by RoleId, which no load-time check can resolve to a name: only
        // the login's own check stands between a vended session and this profile.
        laundry: {
          kind: 'sts',
          allow: [
            {
              alibaba: {
                account: DEMO_ACCOUNT_ID,
                roleId: emulator.world.findRole(DEMO_ACCOUNT_ID, 'credvend-demo')!.roleId,
              },
            },
          ],
          roleArn: `acs:ram::${DEMO_ACCOUNT_ID}:role/credvend-demo`,
          durationSeconds: 3600,
        },
      },
    }),
  })
})
afterAll(() => h.close())

describe('signed Alibaba identity login (POST /v1/session/alibaba)', () => {
  it('a valid signature for an allowed role yields a session token the vend routes accept', async () => {
    const res = await login(await signedBody(sessionOf(DEMO_ACCOUNT_ID, 'billing-host')))
    expect(res.status, res.text).toBe(200)
    const { SessionToken, CallerId, Expiration } = res.json()
    expect(SessionToken).toMatch(/^cvs_[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/)
    expect(CallerId).toBe(`alibaba.${DEMO_ACCOUNT_ID}.billing-host`)
    expect(Date.parse(Expiration) - h.emulator.now().getTime()).toBeLessThanOrEqual(15 * 60 * 1000)
    const vend = await h.request('/v1/credentials/host-creds', {
      method: 'POST',
      token: SessionToken,
    })
    expect(vend.status, vend.text).toBe(200)
    const tampered = `${SessionToken.slice(0, -2)}${SessionToken.endsWith('AA') ? 'BB' : 'AA'}`
    expect(
      (await h.request('/v1/credentials/host-creds', { method: 'POST', token: tampered })).json()
        .Code,
    ).toBe('ERR_AUTH_SESSION')
    h.emulator.clock.shift(16 * 60 * 1000)
    try {
      expect(
        (
          await h.request('/v1/credentials/host-creds', { method: 'POST', token: SessionToken })
        ).json().Code,
      ).toBe('ERR_AUTH_SESSION')
    } finally {
      h.emulator.clock.reset()
    }
  })

  it('refuses replays, stale timestamps, other actions, hosts or extra parameters before any outbound call', async () => {
    const creds = sessionOf(DEMO_ACCOUNT_ID, 'billing-host')
    const good = await signedBody(creds)
    expect((await login(good)).status).toBe(200)
    const calls = stsLogins()
    const assumes = h.assumeRoleCalls()
    const stale = await signedBody(creds, new Date(h.emulator.now().getTime() - 10 * 60 * 1000))
    const assumeRole = { params: { ...(await signedBody(creds)).params, Action: 'AssumeRole' } }
    const refused = {
      replay: await login(good),
      stale: await login(stale),
      otherAction: await login(assumeRole),
      extraParam: await login({
        params: { ...(await signedBody(creds)).params, RoleArn: 'acs:ram::1:role/x' },
      }),
      otherHost: await login({ ...(await signedBody(creds)), url: 'https://sts.evil.example/' }),
      hostParam: await login({
        params: { ...(await signedBody(creds)).params, Endpoint: 'sts.evil.example' },
      }),
      notSigned: await login({
        params: { ...(await signedBody(creds)).params, Signature: undefined },
      }),
    }
    const codes = Object.fromEntries(
      Object.entries(refused).map(([k, r]) => [k, `${r.status} ${r.json().Code}`]),
    )
    expect(codes).toEqual({
      replay: '401 ERR_AUTH_REPLAY',
      stale: '401 ERR_AUTH_REPLAY',
      otherAction: '401 ERR_AUTH_ALIBABA',
      extraParam: '401 ERR_AUTH_ALIBABA',
      otherHost: '401 ERR_AUTH_ALIBABA',
      hostParam: '401 ERR_AUTH_ALIBABA',
      notSigned: '401 ERR_AUTH_ALIBABA',
    })
    expect(stsLogins()).toBe(calls) // none of them left credvend
    expect(h.assumeRoleCalls()).toBe(assumes) // and none reached the vend path
  })

  it('refuses a tampered signature, a disallowed account and a role merely named like the allowed one', async () => {
    const assumes = h.assumeRoleCalls()
    const body = await signedBody(sessionOf(DEMO_ACCOUNT_ID, 'billing-host'))
    const sig = body.params.Signature!
    const tampered = {
      params: { ...body.params, Signature: `${sig[0] === 'A' ? 'B' : 'A'}${sig.slice(1)}` },
    }
    const cases = {
      tampered: await login(tampered),
      otherAccount: await login(
        await signedBody(sessionOf(DEMO_PARTNER_ACCOUNT_ID, 'billing-host')),
      ),
      similarRole: await login(await signedBody(sessionOf(DEMO_ACCOUNT_ID, 'billing-host-evil'))),
      // The session name is the caller's choice: naming it after the allowed role changes nothing.
      sessionNamedLikeRole: await login(
        await signedBody(sessionOf(DEMO_ACCOUNT_ID, 'other-host', 'billing-host')),
      ),
    }
    const codes = Object.fromEntries(
      Object.entries(cases).map(([k, r]) => [k, `${r.status} ${r.json().Code}`]),
    )
    expect(codes).toEqual({
      tampered: '401 ERR_AUTH_ALIBABA',
      otherAccount: '401 ERR_AUTH_ALIBABA',
      similarRole: '401 ERR_AUTH_ALIBABA',
      sessionNamedLikeRole: '401 ERR_AUTH_ALIBABA',
    })
    expect(h.assumeRoleCalls()).toBe(assumes)
    for (const r of Object.values(cases)) expect(r.text).not.toMatch(/Signature|STS\.|CAIS/)
  })

  it("the client side: an agent on the host logs in with the host's own identity and serves the profile", async () => {
    const server = await listenLoopback(h.app.fetch, 0)
    const url = `http://127.0.0.1:${server.port}`
    const creds = sessionOf(DEMO_ACCOUNT_ID, 'billing-host', 'i-agent-host')
    const bearer = alibabaSessionBearer({
      url,
      source: fromStatic(creds),
      fetch,
      now: h.emulator.now,
      nonce: () => `agent-${nonce++}`,
    })
    const agent = await startAgent({ url, profiles: ['host-creds'], bearer, now: h.emulator.now })
    try {
      const before = stsLogins()
      const body = await (await fetch(agent.uris.get('host-creds')!)).json()
      expect(body.AccessKeyId).toMatch(/^STS\./)
      await bearer() // the session token is reused, not a new login
      expect(stsLogins()).toBe(before)
    } finally {
      await agent.close()
      await server.close()
    }
  })

  it('is off unless enabled: 404, like any route this deployment does not serve', async () => {
    const off = await startVendHarness()
    try {
      const res = await off.request('/v1/session/alibaba', { method: 'POST', body: { params: {} } })
      expect([res.status, res.json().Code]).toEqual([404, 'ERR_NOT_FOUND'])
    } finally {
      await off.close()
    }
  })

  it('a session of a role credvend vends never logs in (no role laundering)', async () => {
    const vended = sessionOf(DEMO_ACCOUNT_ID, 'credvend-demo', 'key.acme')
    const res = await login(await signedBody(vended))
    expect([res.status, res.json().Code]).toEqual([401, 'ERR_AUTH_ALIBABA'])
  })
})
