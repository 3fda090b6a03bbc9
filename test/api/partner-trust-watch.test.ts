import { afterEach, describe, expect, it } from 'vitest'
import type { ConfigInput } from '../../lib/config/schema.ts'
import { renderTrustPolicy } from '../../lib/partners/trust-policy.ts'
import { startVendHarness, type VendHarness } from '../helpers/vend-harness.ts'

const INTERVAL_SECONDS = 300
const PARTNER_ROLE = 'credvend-partner-demo'

let h: VendHarness | undefined
afterEach(() => h?.close())

/** The base harness's `partner` profile, watched; every other profile has no ExternalId. */
const watched = (partnerTrust: ConfigInput['partnerTrust']) =>
  startVendHarness({
    config: (c) => ({ ...c, exposeInternalRoutes: true, partnerTrust }),
  })

/** The partner edits its role's trust policy in RAM: with or without the ExternalId condition. */
const setTrust = (harness: VendHarness, requireExternalId: boolean) =>
  harness.emulator.world.updateRoleTrust(harness.emulator.demo.partnerAccountId, PARTNER_ROLE, {
    ...renderTrustPolicy({
      trusted: harness.emulator.demo.vendorArn,
      ...(requireExternalId ? { externalId: harness.env.PARTNER_EXTERNAL_ID } : {}),
    }),
  })

const metricLine = async (harness: VendHarness, name: string) =>
  (await harness.request('/metrics')).text
    .split('\n')
    .find((line) => line.startsWith(`${name}{partner="partner"}`))

const vendPartner = async (harness: VendHarness) => {
  const r = await harness.request('/v1/credentials/partner', { token: harness.acmeKey })
  return { status: r.status, code: r.json().Code as string, text: r.text }
}

const trustLines = (harness: VendHarness) => harness.logs.filter((l) => l.type === 'partner-trust')

describe('partner trust drift, watched', () => {
  it('flips credvend_partner_trust_ok to 0 within one interval of the partner dropping the ExternalId condition, and stops vending for it', async () => {
    h = await watched({ intervalSeconds: INTERVAL_SECONDS, refuseWhenLoose: true })
    // The first tick (at start) finds the role as onboarding left it.
    expect(await h.credvend.checkPartnerTrust()).toEqual([
      { partner: 'partner', outcome: 'ok', loose: false },
    ])
    expect(await metricLine(h, 'credvend_partner_trust_ok')).toBe(
      'credvend_partner_trust_ok{partner="partner"} 1',
    )
    const checkedAt = Math.floor(h.emulator.now().getTime() / 1000)
    expect(await metricLine(h, 'credvend_partner_trust_checked_timestamp_seconds')).toBe(
      `credvend_partner_trust_checked_timestamp_seconds{partner="partner"} ${checkedAt}`,
    )
    expect((await vendPartner(h)).status).toBe(200)

    setTrust(h, false)
    // A tick before the interval is up runs nothing and reaches no STS.
    h.emulator.clock.shift((INTERVAL_SECONDS / 2) * 1000)
    const calls = h.assumeRoleCalls()
    expect(await h.credvend.checkPartnerTrust()).toBeUndefined()
    expect(h.assumeRoleCalls()).toBe(calls)
    expect(await metricLine(h, 'credvend_partner_trust_ok')).toMatch(/ 1$/)

    // The timer's tick one interval after the last run sees the drift.
    h.emulator.clock.shift(INTERVAL_SECONDS * 1000)
    expect(await h.credvend.checkPartnerTrust()).toEqual([
      { partner: 'partner', outcome: 'failed', loose: true },
    ])
    expect(await metricLine(h, 'credvend_partner_trust_ok')).toBe(
      'credvend_partner_trust_ok{partner="partner"} 0',
    )
    // One warning line names the partner and what failed; never the ExternalId.
    const warning = trustLines(h).filter((l) => l.event === 'changed')
    expect(warning).toEqual([
      {
        type: 'partner-trust',
        event: 'changed',
        level: 'warn',
        partner: 'partner',
        roleArn: h.emulator.demo.partnerRole.arn,
        ok: false,
        loose: true,
        failed: ['without ExternalId', 'with a wrong ExternalId'],
        refusing: true,
      },
    ])
    expect(JSON.stringify(h.logs)).not.toContain(h.env.PARTNER_EXTERNAL_ID)

    // Vending stops, cached credentials included; the answer names no ExternalId either.
    const refused = await vendPartner(h)
    expect([refused.status, refused.code]).toEqual([403, 'ERR_PARTNER_UNTRUSTED'])
    expect(refused.text).not.toContain(h.env.PARTNER_EXTERNAL_ID)
    // A caller the profile does not allow learns nothing of it: still the plain 404.
    const stranger = await h.request('/v1/credentials/partner', { token: h.otherKey })
    expect([stranger.status, stranger.json().Code]).toEqual([404, 'ERR_NOT_FOUND'])

    // The partner restores the condition: the next run finds it safe and vending resumes.
    setTrust(h, true)
    h.emulator.clock.shift(2 * INTERVAL_SECONDS * 1000 + 1000)
    expect(await h.credvend.checkPartnerTrust()).toEqual([
      { partner: 'partner', outcome: 'ok', loose: false },
    ])
    expect(await metricLine(h, 'credvend_partner_trust_ok')).toMatch(/ 1$/)
    expect(trustLines(h).at(-1)).toMatchObject({ event: 'changed', level: 'info', ok: true })
    expect((await vendPartner(h)).status).toBe(200)
  })

  it('without refuseWhenLoose the metric and the warning still report the drift, and vending goes on', async () => {
    h = await watched({ intervalSeconds: INTERVAL_SECONDS })
    setTrust(h, false)
    expect(await h.credvend.checkPartnerTrust()).toEqual([
      { partner: 'partner', outcome: 'failed', loose: true },
    ])
    expect(await metricLine(h, 'credvend_partner_trust_ok')).toMatch(/ 0$/)
    expect(trustLines(h)).toMatchObject([{ event: 'changed', level: 'warn', refusing: false }])
    expect((await vendPartner(h)).status).toBe(200)
  })

  it('reads throttling as no news: a safe role stays safe and its callers keep vending', async () => {
    h = await watched({ intervalSeconds: INTERVAL_SECONDS, refuseWhenLoose: true })
    await h.credvend.checkPartnerTrust()
    // STS throttles every probe (credvend's own burst, or the account's quota): nothing about the
    // partner's trust policy is learned, so nothing changes and no warning is written.
    h.emulator.injectFaults('throttle', 100)
    h.emulator.clock.shift(INTERVAL_SECONDS * 1000)
    expect(await h.credvend.checkPartnerTrust()).toEqual([
      { partner: 'partner', outcome: 'inconclusive' },
    ])
    h.emulator.clearFaults()
    expect(await metricLine(h, 'credvend_partner_trust_ok')).toMatch(/ 1$/)
    expect(trustLines(h)).toEqual([
      {
        type: 'partner-trust',
        event: 'inconclusive',
        partner: 'partner',
        failed: ['without ExternalId', 'with a wrong ExternalId', 'with the configured ExternalId'],
      },
    ])
    expect((await vendPartner(h)).status).toBe(200)
  })

  it('keeps the last verdict while STS does not answer, and has no watch without the section', async () => {
    h = await watched({ intervalSeconds: INTERVAL_SECONDS, refuseWhenLoose: true })
    setTrust(h, false)
    await h.credvend.checkPartnerTrust()
    h.emulator.injectFaults('unavailable', 100)
    h.emulator.clock.shift(INTERVAL_SECONDS * 1000)
    expect(await h.credvend.checkPartnerTrust()).toEqual([
      { partner: 'partner', outcome: 'unreachable' },
    ])
    expect(await metricLine(h, 'credvend_partner_trust_ok')).toMatch(/ 0$/)
    expect(trustLines(h).at(-1)).toEqual({
      type: 'partner-trust',
      event: 'unreachable',
      partner: 'partner',
      failed: ['without ExternalId'],
    })
    h.emulator.clearFaults()
    // A reload that points the profile at another role forgets the old role's verdict.
    await h.reload(
      JSON.stringify({
        ...h.config,
        profiles: {
          ...h.config.profiles,
          partner: {
            ...h.config.profiles.partner!,
            roleArn: h.emulator.demo.partnerChainRole.arn,
          },
        },
      }),
    )
    expect(await metricLine(h, 'credvend_partner_trust_ok')).toBeUndefined()
    h.close()

    h = await startVendHarness({ config: (c) => ({ ...c, exposeInternalRoutes: true }) })
    const calls = h.assumeRoleCalls()
    expect(await h.credvend.checkPartnerTrust()).toBeUndefined()
    expect(h.assumeRoleCalls()).toBe(calls)
    expect(await metricLine(h, 'credvend_partner_trust_ok')).toBeUndefined()
  })
})
