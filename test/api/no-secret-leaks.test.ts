import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { startVendHarness, type VendHarness } from '../helpers/vend-harness.ts'

let h: VendHarness
const consoleOutput: string[] = []
const callerSecrets: string[] = []

/** Every form a secret could take on its way into a line of text. */
const forms = (secret: string) => [
  secret,
  encodeURIComponent(secret),
  btoa(unescape(encodeURIComponent(secret))),
  Buffer.from(secret).toString('base64url'),
]

beforeAll(async () => {
  h = await startVendHarness()
  for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
    vi.spyOn(console, method).mockImplementation(
      (...args: unknown[]) => void consoleOutput.push(args.map(String).join(' ')),
    )
  }
  // A day of traffic: successes, cache hits, refusals, attacks and outages.
  const alice = await h.signer.sign({ tenant: 'acme-corp' }, { sub: 'alice' })
  const expired = await h.signer.sign({}, { exp: Math.floor(Date.now() / 1000) - 600 })
  callerSecrets.push(alice, expired, h.acmeKey, h.otherKey)
  await h.request('/v1/credentials/upload', { token: alice, body: { parameters: { folder: 'p' } } })
  await h.request('/v1/credentials/upload', { token: alice, body: { parameters: { folder: 'p' } } })
  await h.request('/v1/credentials/upload', { token: alice, body: { parameters: { folder: '*' } } })
  await h.request('/v1/credentials/partner', { token: h.acmeKey })
  await h.request('/v1/credentials/partner', { token: h.otherKey })
  await h.request('/v1/credentials/plain', { token: expired })
  await h.request(`/v1/credentials/plain?token=${alice}`)
  await h.request('/v1/credentials/plain', { token: `${h.acmeKey}x` })
  await h.request('/v1/credentials/partner', {
    token: h.acmeKey,
    body: { externalId: h.env.PARTNER_EXTERNAL_ID },
  })
  h.emulator.injectFaults('unavailable', 3)
  await h.request('/v1/credentials/plain', { token: await h.signer.sign({}, { sub: 'bob' }) })
  h.emulator.clearFaults()
  vi.restoreAllMocks()
})
afterAll(() => h?.close())

describe('no secret, token or upstream payload reaches a log line, an audit line, an error body or the output', () => {
  it('the scenario produced audit lines (one per vend attempt) and error bodies to inspect', () => {
    expect(h.logs.filter((l) => l.type === 'audit').length).toBeGreaterThanOrEqual(6)
    expect(h.bodies.length).toBe(10)
  })

  it('none of the secrets the emulator issued, nor credvend’s own key, nor the ExternalId, nor callers’ tokens and keys', () => {
    const issued = h.emulator.world.issuedSecrets()
    expect(issued.length).toBeGreaterThan(3)
    const everySecret = [
      ...issued,
      h.emulator.demo.vendor.accessKeySecret,
      h.env.PARTNER_EXTERNAL_ID,
      ...callerSecrets,
    ]
    const logText = h.logs.map((l) => JSON.stringify(l)).join('\n')
    const errorBodies = h.bodies.filter((b) => !b.includes('"Code":"Success"')).join('\n')
    const successBodies = h.bodies.filter((b) => b.includes('"Code":"Success"')).join('\n')
    const output = consoleOutput.join('\n')
    for (const secret of everySecret) {
      for (const form of forms(secret)) {
        expect(logText).not.toContain(form)
        expect(errorBodies).not.toContain(form)
        expect(output).not.toContain(form)
      }
    }
    // A success body carries its own vended credentials — and nothing else secret.
    for (const secret of [
      h.emulator.demo.vendor.accessKeySecret,
      h.env.PARTNER_EXTERNAL_ID,
      ...callerSecrets,
    ]) {
      for (const form of forms(secret)) expect(successBodies).not.toContain(form)
    }
  })
})
