import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { APP_ORIGIN, startVendHarness, type VendHarness } from '../helpers/vend-harness.ts'

/**
 * Bad input from anyone, anywhere in the request: paths, methods, headers and bodies. Two
 * properties must hold whatever arrives — never a 5xx, and never credentials without a valid
 * identity. Runs are bounded and the seed is printed, so a failure can be replayed with it.
 */
const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 2_147_483_647)
const RUNS = 300

let h: VendHarness
let validKey: string
let validJwt: string

beforeAll(async () => {
  h = await startVendHarness({
    config: (c, emulator) => ({
      ...c,
      exposeInternalRoutes: true,
      kms: { endpoint: emulator.kmsEndpoint },
    }),
  })
  validKey = h.acmeKey
  validJwt = await h.signer.sign({}, { sub: 'alice' })
  console.log(`fuzz seed ${SEED} (replay with FUZZ_SEED=${SEED})`)
})
afterAll(() => h.close())

const profile = fc.oneof(
  fc.constantFrom(
    'plain',
    'partner',
    'photos',
    'photo-form',
    'upload',
    'nope',
    '',
    '..',
    '%2e%2e',
    'plain/report-invalid',
  ),
  fc.string({ maxLength: 40 }),
)
const segment = fc.oneof(
  fc.constantFrom(
    'v1',
    'credentials',
    'session',
    'alibaba',
    'healthz',
    'readyz',
    'metrics',
    'openapi.json',
    '%00',
    '..',
    '.',
    '%2F',
  ),
  fc.string({ maxLength: 20 }),
)
const path = fc.oneof(
  profile.map((p) => `/v1/credentials/${encodeURIComponent(p)}`),
  fc.array(segment, { maxLength: 5 }).map((s) => `/${s.map(encodeURIComponent).join('/')}`),
  fc.constantFrom(
    '/v1/session/alibaba',
    '/v1/credentials/plain?token=x',
    '/v1/credentials/plain?x=1',
  ),
)
const bearer = fc.oneof(
  fc.constant(undefined),
  fc.string({ maxLength: 60 }),
  fc.string({ maxLength: 60 }).map((s) => `Bearer ${s}`),
  fc.constantFrom(
    'Bearer',
    'Bearer ',
    'bearer cvk_',
    'Bearer cvk_acme_',
    'Bearer cvs_x.y',
    'Bearer eyJhbGciOiJub25lIn0.e30.',
    'Basic dXNlcjpwYXNz',
  ),
  fc.string({ maxLength: 30 }).map((s) => `Bearer cvk_acme_${s}`),
  fc.string({ maxLength: 80 }).map((s) => `Bearer eyJ${s}`),
)
const body = fc.oneof(
  fc.constant(undefined),
  fc.string({ maxLength: 200 }),
  fc.json({ maxDepth: 3 }),
  fc
    .record(
      {
        durationSeconds: fc.anything(),
        parameters: fc.anything(),
        form: fc.anything(),
        minRemainingSeconds: fc.anything(),
      },
      { requiredKeys: [] },
    )
    .map((o) => JSON.stringify(o)),
  fc
    .record({ params: fc.dictionary(fc.string({ maxLength: 12 }), fc.string({ maxLength: 40 })) })
    .map((o) => JSON.stringify(o)),
  fc.constantFrom(
    '{"externalId":"x"}',
    '{"roleArn":"acs:ram::1:role/x"}',
    '{"AccessKeyId":"LTAI5tXXXXXXXXXXXX"}',
    'null',
    '[]',
    '{',
  ),
)
const request = fc.record({
  method: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH', 'HEAD'),
  path,
  authorization: bearer,
  contentType: fc.option(
    fc.constantFrom(
      'application/json',
      'text/plain',
      'application/x-www-form-urlencoded',
      'application/json; charset=utf-8',
      '',
    ),
    { nil: undefined },
  ),
  origin: fc.option(fc.constantFrom(APP_ORIGIN, 'https://evil.example', 'null'), {
    nil: undefined,
  }),
  body,
})

type FuzzRequest = typeof request extends fc.Arbitrary<infer T> ? T : never

const send = (r: FuzzRequest) => {
  const headers: Record<string, string> = {}
  if (r.authorization !== undefined) headers.authorization = r.authorization
  if (r.contentType !== undefined) headers['content-type'] = r.contentType
  if (r.origin !== undefined) headers.origin = r.origin
  const body =
    r.body !== undefined && r.method !== 'GET' && r.method !== 'HEAD' ? String(r.body) : null
  return h.app.request(r.path, { method: r.method, headers, body })
}

/** Credential values, not field names (the OpenAPI document names the fields too). */
const holdsCredentials = (text: string) =>
  /"(AccessKeySecret|SecurityToken|SessionToken|x-oss-signature)":"[^"]+"/.test(text)

describe('fuzzing the HTTP surface', () => {
  it('(control) the credential detector sees a real vend', async () => {
    const res = await h.app.request('/v1/credentials/plain', {
      headers: { authorization: `Bearer ${validKey}` },
    })
    expect(holdsCredentials(await res.text())).toBe(true)
  })

  it('never answers 5xx to bad input, and never hands out credentials without a valid identity', async () => {
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        const res = await send(r)
        const text = await res.text()
        expect(res.status, `${r.method} ${r.path}`).toBeLessThan(500)
        // Only the two valid identities above can ever get credentials, and the fuzzer never sends them.
        expect(holdsCredentials(text), `${r.method} ${r.path} → ${res.status}`).toBe(false)
      }),
      { seed: SEED, numRuns: RUNS },
    )
  })

  it("with a valid identity, a fuzzed body or path still never yields a 5xx or another caller's prefix", async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(validKey, validJwt), profile, body, async (token, p, b) => {
        const res = await h.app.request(`/v1/credentials/${encodeURIComponent(p)}`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: b === undefined ? null : String(b),
        })
        const text = await res.text()
        expect(res.status, `${p} ${b}`).toBeLessThan(500)
        if (res.status === 200 && text.includes('"Prefix"'))
          expect(JSON.parse(text).Prefix).toBe('users/jwt.web.alice/')
      }),
      { seed: SEED, numRuns: 150 },
    )
  })
})
