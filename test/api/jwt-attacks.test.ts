import { createPublicKey, type JsonWebKey } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SignJWT, base64url, type JWK } from 'jose'
import { listenLoopback } from '../../functions/node/cli/local/local-emulator.ts'
import {
  ISSUER,
  makeSigner,
  startVendHarness,
  type VendHarness,
  withIssuers,
} from '../helpers/vend-harness.ts'

const ISSUER_B = 'https://idp.partner.example'
const REMOTE_ISSUER = 'https://remote.example.com'
const BROKEN_ISSUER = 'https://broken.example.com'

let h: VendHarness
let signerB: Awaited<ReturnType<typeof makeSigner>>
let remoteSigner: Awaited<ReturnType<typeof makeSigner>>
let jwksServer: { port: number; close: () => Promise<void> }
let jwksFetches = 0
let jwksKeys: JWK[] = []

beforeAll(async () => {
  signerB = await makeSigner('RS256', 'k1')
  remoteSigner = await makeSigner('ES256', 'r1')
  jwksKeys = [remoteSigner.jwk]
  jwksServer = await listenLoopback((req) => {
    // An issuer whose key set endpoint fails: a 500, as a broken or misdeployed IdP answers.
    if (new URL(req.url).pathname === '/broken')
      return new Response('internal error', { status: 500 })
    jwksFetches++
    return Response.json({ keys: jwksKeys })
  }, 0)
  h = await startVendHarness({
    config: (c) => ({
      ...withIssuers(
        c,
        {
          id: 'partner-idp',
          issuer: ISSUER_B,
          audience: 'credvend',
          algorithms: ['RS256'],
          jwks: { keys: [signerB.jwk] },
        },
        {
          id: 'remote',
          issuer: REMOTE_ISSUER,
          audience: 'credvend',
          algorithms: ['ES256'],
          jwksUri: `http://127.0.0.1:${jwksServer.port}/jwks`,
        },
        {
          id: 'broken',
          issuer: BROKEN_ISSUER,
          audience: 'credvend',
          algorithms: ['ES256'],
          jwksUri: `http://127.0.0.1:${jwksServer.port}/broken`,
        },
      ),
      profiles: {
        ...c.profiles,
        plain: {
          ...c.profiles.plain!,
          allow: [{ jwt: 'web' }, { jwt: 'partner-idp' }, { jwt: 'remote' }, { jwt: 'broken' }],
        },
      },
    }),
  })
})
afterAll(async () => {
  await h?.close()
  await jwksServer?.close()
})

const vend = (token: string) => h.request('/v1/credentials/plain', { token })
const expectRefused = async (token: string, code: string) => {
  const calls = h.assumeRoleCalls()
  const res = await vend(token)
  expect([res.status, res.json().Code]).toEqual([401, code])
  expect(res.headers.get('www-authenticate')).toMatch(
    /^Bearer realm="credvend", error="invalid_token"/,
  )
  expect(h.assumeRoleCalls()).toBe(calls)
}

const unsigned = (header: object, payload: object) =>
  `${base64url.encode(JSON.stringify(header))}.${base64url.encode(JSON.stringify(payload))}.`

describe('caller JWTs: every known attack gets a 401 with its own code', () => {
  it('a valid token is accepted (control)', async () => {
    expect((await vend(await h.signer.sign())).status).toBe(200)
  })

  it('alg: none → ERR_AUTH_ALG', async () => {
    const now = Math.floor(Date.now() / 1000)
    await expectRefused(
      unsigned(
        { alg: 'none', typ: 'JWT' },
        { iss: ISSUER, aud: 'credvend', sub: 'alice', exp: now + 600 },
      ),
      'ERR_AUTH_ALG',
    )
  })

  it('HS256 keyed with the issuer RSA public key → ERR_AUTH_ALG', async () => {
    const pem = createPublicKey({
      key: h.signer.jwk as unknown as JsonWebKey,
      format: 'jwk',
    }).export({ type: 'spki', format: 'pem' })
    const token = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256', kid: 'k1', typ: 'JWT' })
      .setIssuer(ISSUER)
      .setAudience('credvend')
      .setSubject('alice')
      .setExpirationTime('10m')
      .sign(new TextEncoder().encode(String(pem)))
    await expectRefused(token, 'ERR_AUTH_ALG')
  })

  it('an untrusted key claiming a trusted iss (same kid) → ERR_AUTH_SIGNATURE', async () => {
    const attacker = await makeSigner('RS256', 'k1')
    await expectRefused(await attacker.sign(), 'ERR_AUTH_SIGNATURE')
  })

  it('a token from trusted issuer A claiming issuer B → ERR_AUTH_SIGNATURE', async () => {
    expect((await vend(await signerB.sign({}, { iss: ISSUER_B }))).status).toBe(200)
    await expectRefused(await h.signer.sign({}, { iss: ISSUER_B }), 'ERR_AUTH_SIGNATURE')
  })

  it('an issuer nobody configured → ERR_AUTH_ISSUER', async () => {
    await expectRefused(
      await h.signer.sign({}, { iss: 'https://evil.example.com' }),
      'ERR_AUTH_ISSUER',
    )
  })

  it.each([
    ['jku', { jku: 'https://evil.example.com/jwks.json' }],
    ['x5u', { x5u: 'https://evil.example.com/cert.pem' }],
    ['jwk', { jwk: { kty: 'EC', crv: 'P-256', x: 'AAAA', y: 'AAAA' } }],
  ])('a %s header pointing elsewhere → ERR_AUTH_HEADER', async (_name, header) => {
    await expectRefused(await h.signer.sign({}, { header }), 'ERR_AUTH_HEADER')
  })

  it('wrong audience → ERR_AUTH_AUDIENCE', async () => {
    await expectRefused(await h.signer.sign({}, { aud: 'some-other-api' }), 'ERR_AUTH_AUDIENCE')
  })

  it('wrong typ → ERR_AUTH_TYPE', async () => {
    await expectRefused(await h.signer.sign({}, { header: { typ: 'at+jwt' } }), 'ERR_AUTH_TYPE')
  })

  it('expired (beyond the clock tolerance) → ERR_AUTH_EXPIRED', async () => {
    await expectRefused(
      await h.signer.sign({}, { exp: Math.floor(Date.now() / 1000) - 120 }),
      'ERR_AUTH_EXPIRED',
    )
  })

  it('not yet valid → ERR_AUTH_NOT_YET_VALID', async () => {
    await expectRefused(
      await h.signer.sign({}, { nbf: Math.floor(Date.now() / 1000) + 600 }),
      'ERR_AUTH_NOT_YET_VALID',
    )
  })

  it('no sub → ERR_AUTH_CLAIMS; garbage → ERR_AUTH_MALFORMED; none at all → ERR_AUTH_MISSING', async () => {
    const noSub = await new SignJWT({})
      .setProtectedHeader({ alg: 'RS256', kid: 'k1', typ: 'JWT' })
      .setIssuer(ISSUER)
      .setAudience('credvend')
      .setExpirationTime('10m')
      .sign(h.signer.privateKey)
    await expectRefused(noSub, 'ERR_AUTH_CLAIMS')
    await expectRefused('not-a-jwt', 'ERR_AUTH_MALFORMED')
    const none = await h.request('/v1/credentials/plain')
    expect([none.status, none.json().Code, none.headers.get('www-authenticate')]).toEqual([
      401,
      'ERR_AUTH_MISSING',
      'Bearer realm="credvend"',
    ])
  })

  it('an API key for an unknown id, with a wrong secret, or revoked → 401 with its code', async () => {
    await expectRefused(`cvk_nobody_${'A'.repeat(43)}`, 'ERR_AUTH_KEY_INVALID')
    await expectRefused(
      `${h.acmeKey.slice(0, -1)}${h.acmeKey.endsWith('A') ? 'B' : 'A'}`,
      'ERR_AUTH_KEY_INVALID',
    )
  })
})

describe('remote JWKS: an issuer whose key set answers an HTTP error', () => {
  it('is 503 ERR_AUTH_JWKS_UNAVAILABLE (the issuer is down, the token is not at fault), with no STS call', async () => {
    const calls = h.assumeRoleCalls()
    const res = await vend(await remoteSigner.sign({}, { iss: BROKEN_ISSUER }))
    expect([res.status, res.json().Code]).toEqual([503, 'ERR_AUTH_JWKS_UNAVAILABLE'])
    expect(h.assumeRoleCalls()).toBe(calls)
  })
})

describe('remote JWKS: unknown kids cannot cause a fetch storm', () => {
  it('1,000 tokens with distinct unknown kids → 401 ERR_AUTH_UNKNOWN_KID each, and a bounded number of JWKS fetches', async () => {
    expect((await vend(await remoteSigner.sign({}, { iss: REMOTE_ISSUER }))).status).toBe(200)
    const fetchesAfterFirstUse = jwksFetches
    expect(fetchesAfterFirstUse).toBe(1)
    const attacker = await makeSigner('ES256', 'unused')
    const codes = new Map<string, number>()
    for (let i = 0; i < 1000; i++) {
      const token = await attacker.sign({}, { iss: REMOTE_ISSUER, header: { kid: `made-up-${i}` } })
      const res = await vend(token)
      codes.set(
        `${res.status} ${res.json().Code}`,
        (codes.get(`${res.status} ${res.json().Code}`) ?? 0) + 1,
      )
    }
    expect(Object.fromEntries(codes)).toEqual({ '401 ERR_AUTH_UNKNOWN_KID': 1000 })
    expect(jwksFetches - fetchesAfterFirstUse).toBeLessThanOrEqual(1)
  })
})
