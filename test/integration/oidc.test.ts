import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { exportJWK, generateKeyPair, SignJWT } from 'jose'
import { isVendError } from '../../lib/errors.ts'
import { createStsClient } from '../../lib/sts/client.ts'
import { randomHexId } from '../../lib/runtime/deps.ts'
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.ts'

const ISSUER = 'https://oidc-ack-cn-hangzhou.oss-cn-hangzhou.aliyuncs.com/c1234'
let emulator: TestEmulator
let sign: (claims: { sub: string; aud?: string; iss?: string }) => Promise<string>
let providerArn: string
let roleArn: string

beforeAll(async () => {
  emulator = await startTestEmulator()
  const { privateKey, publicKey } = await generateKeyPair('RS256')
  const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' }
  const account = emulator.demo.accountId
  providerArn = emulator.world.createOidcProvider(account, 'ack', {
    issuer: ISSUER,
    clientIds: ['sts.aliyuncs.com'],
    jwks: { keys: [jwk] },
  }).arn
  roleArn = emulator.world.createRole(account, 'billing-worker', {
    trustPolicy: {
      Version: '1',
      Statement: [
        {
          Effect: 'Allow',
          Action: 'sts:AssumeRole',
          Principal: { Federated: [providerArn] },
          Condition: {
            StringEquals: {
              'oidc:sub': 'system:serviceaccount:billing:worker',
              'oidc:aud': 'sts.aliyuncs.com',
            },
          },
        },
      ],
    },
  }).arn
  sign = (claims) =>
    new SignJWT({})
      .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
      .setIssuer(claims.iss ?? ISSUER)
      .setSubject(claims.sub)
      .setAudience(claims.aud ?? 'sts.aliyuncs.com')
      .setIssuedAt()
      .setExpirationTime('10m')
      .sign(privateKey)
})
afterAll(() => emulator?.close())

const sts = () =>
  createStsClient(
    { endpoint: emulator.stsEndpoint },
    { fetch, now: emulator.now, randomId: randomHexId },
  )
const code = (e: unknown) => (isVendError(e) ? e.upstream?.code : String(e))

describe('AssumeRoleWithOIDC (unsigned) against the emulator', () => {
  it('exchanges a valid workload token for role credentials', async () => {
    const reply = await sts().assumeRoleWithOidc({
      roleArn,
      oidcProviderArn: providerArn,
      oidcToken: await sign({ sub: 'system:serviceaccount:billing:worker' }),
      roleSessionName: 'billing-worker',
    })
    expect(reply.assumedRoleUser.arn).toBe(`${roleArn}/billing-worker`)
    const me = await sts().getCallerIdentity({ ...reply.credentials, source: 'oidc' })
    expect(me.arn).toContain('assumed-role/billing-worker/billing-worker')
  })

  it('refuses a token whose subject the trust policy does not name', async () => {
    const token = await sign({ sub: 'system:serviceaccount:default:other' })
    const e = await sts()
      .assumeRoleWithOidc({
        roleArn,
        oidcProviderArn: providerArn,
        oidcToken: token,
        roleSessionName: 'x-1',
      })
      .catch((x) => x)
    expect(code(e)).toBe('NoPermission')
  })

  it('refuses a token from another issuer or signed by another key', async () => {
    const wrongIssuer = await sign({
      sub: 'system:serviceaccount:billing:worker',
      iss: 'https://evil.example.com',
    })
    const e1 = await sts()
      .assumeRoleWithOidc({
        roleArn,
        oidcProviderArn: providerArn,
        oidcToken: wrongIssuer,
        roleSessionName: 'x-1',
      })
      .catch((x) => x)
    expect(code(e1)).toBe('AuthenticationFail.OIDCToken')
    const other = await generateKeyPair('RS256')
    const forged = await new SignJWT({})
      .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
      .setIssuer(ISSUER)
      .setSubject('system:serviceaccount:billing:worker')
      .setAudience('sts.aliyuncs.com')
      .setExpirationTime('10m')
      .sign(other.privateKey)
    const e2 = await sts()
      .assumeRoleWithOidc({
        roleArn,
        oidcProviderArn: providerArn,
        oidcToken: forged,
        roleSessionName: 'x-1',
      })
      .catch((x) => x)
    expect(code(e2)).toBe('AuthenticationFail.OIDCToken')
  })
})
