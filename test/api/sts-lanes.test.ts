import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { DEMO_ACCOUNT_ID } from '../../lib/emulator/demo-world.ts'
import { alibabaLoginBody } from '../../lib/session/login-body.ts'
import {
  makeSigner,
  startVendHarness,
  type VendHarness,
  withIssuers,
} from '../helpers/vend-harness.ts'

const RATE = 4
const DEADLINE_MS = 6_000
const FLOOD = 60

let a: Awaited<ReturnType<typeof makeSigner>>
let b: Awaited<ReturnType<typeof makeSigner>>
let h: VendHarness | undefined

beforeAll(async () => {
  a = await makeSigner('ES256', 'partner-idp-1')
  b = await makeSigner('ES256', 'staff-idp-1')
})
afterEach(() => h?.close())

const issuer = (id: string, signer: typeof a) => ({
  id,
  issuer: `https://${id}.example`,
  audience: 'credvend',
  algorithms: ['ES256' as const],
  jwks: { keys: [signer.jwk] },
})

/** Two issuers on one profile, real waits: the governor's pacing is what is under test. */
const harness = (extra: Record<string, unknown> = {}) =>
  startVendHarness({
    realSleep: true,
    config: (c) => ({
      ...withIssuers(c, issuer('partner-idp', a), issuer('staff-idp', b)),
      sts: { ...c.sts, maxCallsPerSecond: RATE },
      upstream: { ...c.upstream!, deadlineMs: DEADLINE_MS },
      exposeInternalRoutes: true,
      profiles: {
        ...c.profiles,
        plain: { ...c.profiles.plain!, allow: [{ jwt: 'partner-idp' }, { jwt: 'staff-idp' }] },
      },
      ...extra,
    }),
  })

const vend = (token: string) =>
  h!.request('/v1/credentials/plain', { token }).then((r) => ({
    status: r.status,
    code: r.json().Code as string,
  }))

/** Session names the STS emulator issued, by issuer: counted where the calls landed. */
const issuedFor = (issuerId: string) =>
  h!.emulator.world.issuedSessionNames().filter((name) => name.startsWith(`jwt.${issuerId}.`))
    .length

const waitUntil = async (condition: () => boolean) => {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5))
}

describe('fair lanes in front of the STS budget', () => {
  it("a flood of fresh subjects from one issuer leaves another issuer's misses their share", async () => {
    h = await harness()
    const floodTokens = await Promise.all(
      Array.from({ length: FLOOD }, (_, i) =>
        a.sign({}, { iss: 'https://partner-idp.example', sub: `minted-${i}` }),
      ),
    )
    const staffTokens = await Promise.all(
      Array.from({ length: RATE }, (_, i) =>
        b.sign({}, { iss: 'https://staff-idp.example', sub: `staff-${i}` }),
      ),
    )
    const before = h.emulator.calls.received
    const flood = Promise.all(floodTokens.map(vend))
    // The flood is in line first: STS has begun answering it before the staff ask.
    await waitUntil(() => h!.emulator.calls.received > before)
    const staff = await Promise.all(staffTokens.map(vend))
    const flooded = await flood

    const floodServed = flooded.filter((r) => r.status === 200).length
    console.log(
      `lanes: flood ${floodServed}/${FLOOD} served (${flooded.filter((r) => r.code === 'ERR_STS_THROTTLED').length} throttled), staff ${staff.filter((r) => r.status === 200).length}/${RATE}; at the emulator: partner-idp ${issuedFor('partner-idp')}, staff-idp ${issuedFor('staff-idp')}`,
    )
    // Every staff miss was served, and the emulator issued exactly those sessions.
    expect(staff.map((r) => r.status)).toEqual(staffTokens.map(() => 200))
    expect(issuedFor('staff-idp')).toBe(RATE)
    // The flooding lane was bounded: refused beyond its share, never an error of another kind.
    expect(flooded.every((r) => r.status === 200 || r.code === 'ERR_STS_THROTTLED')).toBe(true)
    expect(floodServed).toBeLessThan(FLOOD)
    expect(issuedFor('partner-idp')).toBe(floodServed)

    const metrics = (await h.request('/metrics')).text
    expect(metrics).toContain(
      'credvend_sts_lane_calls_total{lane="jwt:staff-idp",decision="admitted"} 4',
    )
    expect(metrics).toMatch(
      /credvend_sts_lane_calls_total\{lane="jwt:partner-idp",decision="refused"\} [1-9]/,
    )
    expect(metrics).toContain('credvend_sts_lane_queued{lane="jwt:partner-idp"} 0')
  }, 60_000)

  it('unusable signed logins make no STS call; well-formed ones are held to the login lane and the per-address limit, and vends go on', async () => {
    h = await startVendHarness({
      realSleep: true,
      config: (c) => ({
        ...withIssuers(c, issuer('staff-idp', b)),
        sts: { ...c.sts, maxCallsPerSecond: 10 },
        upstream: { ...c.upstream!, deadlineMs: DEADLINE_MS },
        callers: {
          ...withIssuers(c, issuer('staff-idp', b)).callers,
          alibaba: {
            enabled: true,
            accounts: [DEMO_ACCOUNT_ID],
            sessionTokenKey: { env: 'SESSION_TOKEN_KEY' },
          },
        },
        profiles: { ...c.profiles, plain: { ...c.profiles.plain!, allow: [{ jwt: 'staff-idp' }] } },
        limits: {
          perCaller: null,
          perCallerMisses: null,
          perSourceAddress: null,
          perSourceAddressLogins: { perSecond: 0.1, burst: 3 },
        },
      }),
    })
    const login = (params: Record<string, string>, sourceAddress: string) =>
      h!.request('/v1/session/alibaba', { method: 'POST', body: { params }, sourceAddress })
    const now = h.emulator.now()
    let nonce = 0
    const signed = (creds: { accessKeyId: string; securityToken?: string }) =>
      alibabaLoginBody(
        { ...creds, accessKeySecret: 'not-the-secret', source: 'test' },
        { now, nonce: `junk-nonce-${nonce++}` },
      ).then((body) => body.params)
    const stsLogins = () => h!.emulator.calls.byAction.get('GetCallerIdentity') ?? 0

    // A long-term AccessKey, and a session key without its token: neither can ever be a role
    // session, so neither may cost an STS call.
    const unusable = await Promise.all([
      ...Array.from({ length: 20 }, () => signed({ accessKeyId: 'LTAI5tLongTermKey0001' })),
      ...Array.from({ length: 20 }, () => signed({ accessKeyId: 'STS.NoTokenWithThis0001' })),
    ])
    const refused = await Promise.all(unusable.map((p, i) => login(p, `198.51.100.${i}`)))
    expect(refused.map((r) => r.status)).toEqual(unusable.map(() => 401))
    expect(stsLogins()).toBe(0)

    // Well-formed but forged: from three addresses, each past its burst of 3 → 429 without STS.
    const forged = await Promise.all(
      Array.from({ length: 30 }, () =>
        signed({ accessKeyId: 'STS.ForgedSession0001', securityToken: 'forged-token' }),
      ),
    )
    const staffTokens = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        b.sign({}, { iss: 'https://staff-idp.example', sub: `staff-${i}` }),
      ),
    )
    const [logins, vends] = await Promise.all([
      Promise.all(forged.map((p, i) => login(p, `203.0.113.${i % 3}`))),
      Promise.all(staffTokens.map(vend)),
    ])
    const statuses = logins.map((r) => r.status)
    expect(statuses.filter((s) => s === 429)).toHaveLength(30 - 9)
    // Those that passed the address limit reached STS only through the login lane: one per
    // second at this rate, a second's burst, the rest refused for the budget.
    expect(stsLogins()).toBeLessThanOrEqual(9)
    expect(statuses.every((s) => s === 401 || s === 429 || s === 503)).toBe(true)
    expect(vends.map((r) => r.status)).toEqual(staffTokens.map(() => 200))
    expect(h.emulator.calls.byAction.get('AssumeRole')).toBe(6)
  }, 60_000)
})
