import { SignJWT } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  makeSigner,
  startVendHarness,
  withIssuers,
  type VendHarness,
} from '../helpers/vend-harness.ts'

const ACK_ISSUER = 'https://oidc-ack-cn-hangzhou.oss-cn-hangzhou.aliyuncs.com/c1234'
const APP_ISSUER = 'https://login.strict.example'

let h: VendHarness
let ack: Awaited<ReturnType<typeof makeSigner>>
let app: Awaited<ReturnType<typeof makeSigner>>

/**
 * A token shaped exactly like an ACK projected service-account token: RS256 with a `kid` and no
 * `typ`, an audience array, `kubernetes.io` claims and a `system:serviceaccount:` subject.
 */
const ackShaped = (signer: typeof ack, iss: string, overrides: Record<string, unknown> = {}) => {
  const nowSeconds = Math.floor(h.emulator.now().getTime() / 1000)
  const payload = {
    aud: ['credvend'],
    exp: nowSeconds + 3600,
    iat: nowSeconds,
    iss,
    'kubernetes.io': {
      namespace: 'billing',
      pod: { name: 'worker-6f7c9d', uid: '0b5f1c7e-4c1a-4c3b-9a55-1b2e3d4f5a6b' },
      serviceaccount: { name: 'worker', uid: '9d8e7f6a-5b4c-3d2e-1f0a-9b8c7d6e5f4a' },
    },
    nbf: nowSeconds,
    sub: 'system:serviceaccount:billing:worker',
    ...overrides,
  }
  // Every claim as given: SignJWT's setters would stamp iat with the real clock.
  return new SignJWT(payload)
    .setProtectedHeader({ alg: 'RS256', kid: signer.kid })
    .sign(signer.privateKey)
}

const vend = async (profile: string, token: string) => {
  const res = await h.request(`/v1/credentials/${profile}`, { token })
  return [res.status, res.json().Code]
}

beforeAll(async () => {
  ack = await makeSigner('RS256', 'ack-1')
  app = await makeSigner('RS256', 'app-1')
  h = await startVendHarness({
    config: (c, emulator) => ({
      ...withIssuers(
        c,
        {
          id: 'ack',
          kind: 'workload',
          issuer: ACK_ISSUER,
          audience: 'credvend',
          algorithms: ['RS256'],
          jwks: { keys: [ack.jwk] },
          maxTokenLifetimeSeconds: 3 * 3600,
        },
        {
          id: 'app',
          issuer: APP_ISSUER,
          audience: 'credvend',
          algorithms: ['RS256'],
          jwks: { keys: [app.jwk] },
        },
      ),
      profiles: {
        ...c.profiles,
        workload: {
          kind: 'sts',
          allow: [{ jwt: 'ack', sub: 'system:serviceaccount:billing:*' }, { jwt: 'app' }],
          roleArn: emulator.demo.appRole.arn,
          durationSeconds: 900,
        },
      },
    }),
  })
})
afterAll(() => h.close())

describe('JWT acceptance per issuer kind', () => {
  it('an ACK projected token without typ authenticates a workload issuer', async () => {
    expect(await vend('workload', await ackShaped(ack, ACK_ISSUER))).toEqual([200, 'Success'])
  })

  it('the same shape is refused by a login issuer, which requires typ', async () => {
    expect(await vend('workload', await ackShaped(app, APP_ISSUER))).toEqual([401, 'ERR_AUTH_TYPE'])
  })

  it('refuses a token issued in the future beyond the clock tolerance', async () => {
    const nowSeconds = Math.floor(h.emulator.now().getTime() / 1000)
    const token = await ackShaped(ack, ACK_ISSUER, { iat: nowSeconds + 600, nbf: nowSeconds })
    expect(await vend('workload', token)).toEqual([401, 'ERR_AUTH_CLAIMS'])
  })

  it('refuses tokens issued for longer than the issuer allows, or without iat where it must', async () => {
    const nowSeconds = Math.floor(h.emulator.now().getTime() / 1000)
    const longLived = await ackShaped(ack, ACK_ISSUER, { iat: nowSeconds - 4 * 3600 })
    expect(await vend('workload', longLived)).toEqual([401, 'ERR_AUTH_CLAIMS'])
    const noIat = await ackShaped(ack, ACK_ISSUER, { iat: undefined })
    expect((await vend('workload', noIat))[0]).toBe(401)
  })
})
