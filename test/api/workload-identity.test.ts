import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { envSecretResolver, loadConfig } from '../../lib/config/load.ts'
import {
  makeSigner,
  startVendHarness,
  type VendHarness,
  withIssuers,
} from '../helpers/vend-harness.ts'

const ACK_ISSUER = 'https://oidc-ack-cn-hangzhou.oss-cn-hangzhou.aliyuncs.com/c1234'
const CI_ISSUER = 'https://token.actions.githubusercontent.com'

let h: VendHarness
let ack: Awaited<ReturnType<typeof makeSigner>>
let ci: Awaited<ReturnType<typeof makeSigner>>

beforeAll(async () => {
  ack = await makeSigner('RS256', 'ack-1')
  ci = await makeSigner('RS256', 'ci-1')
  h = await startVendHarness({
    config: (c) => ({
      ...withIssuers(
        c,
        {
          id: 'ack-prod',
          issuer: ACK_ISSUER,
          audience: 'credvend',
          algorithms: ['RS256'],
          jwks: { keys: [ack.jwk] },
        },
        {
          id: 'ci',
          issuer: CI_ISSUER,
          audience: 'credvend',
          algorithms: ['RS256'],
          jwks: { keys: [ci.jwk] },
        },
      ),
      profiles: {
        ...c.profiles,
        billing: {
          kind: 'sts',
          allow: [
            { jwt: 'ack-prod', sub: 'system:serviceaccount:billing:*' },
            { jwt: 'ci', sub: 'repo:acme/billing:ref:refs/heads/main' },
          ],
          roleArn: 'acs:ram::1234567890123456:role/credvend-demo',
          durationSeconds: 3600,
        },
      },
    }),
  })
})
afterAll(() => h.close())

const vend = async (token: string) =>
  (await h.request('/v1/credentials/billing', { method: 'POST', token })).status

describe('workload OIDC', () => {
  it("an ACK service-account token projected for credvend's audience, matched by a sub pattern", async () => {
    expect(
      await vend(
        await ack.sign({}, { iss: ACK_ISSUER, sub: 'system:serviceaccount:billing:worker' }),
      ),
    ).toBe(200)
    expect(
      await vend(
        await ack.sign({}, { iss: ACK_ISSUER, sub: 'system:serviceaccount:billing:reporter' }),
      ),
    ).toBe(200)
    // `*` is one segment: neither another namespace nor a longer subject matches.
    expect(
      await vend(
        await ack.sign({}, { iss: ACK_ISSUER, sub: 'system:serviceaccount:payments:worker' }),
      ),
    ).toBe(404)
    expect(
      await vend(
        await ack.sign({}, { iss: ACK_ISSUER, sub: 'system:serviceaccount:billing:worker:x' }),
      ),
    ).toBe(404)
    expect(
      await vend(
        await ack.sign({}, { iss: ACK_ISSUER, sub: 'system:serviceaccount:billing2:worker' }),
      ),
    ).toBe(404)
  })

  it('a CI OIDC token for exactly one repository and branch', async () => {
    expect(
      await vend(
        await ci.sign({}, { iss: CI_ISSUER, sub: 'repo:acme/billing:ref:refs/heads/main' }),
      ),
    ).toBe(200)
    expect(
      await vend(
        await ci.sign({}, { iss: CI_ISSUER, sub: 'repo:acme/billing:ref:refs/heads/feature' }),
      ),
    ).toBe(404)
    expect(
      await vend(await ci.sign({}, { iss: CI_ISSUER, sub: 'repo:acme/billing:pull_request' })),
    ).toBe(404)
  })

  it("refuses the RRSA token meant for STS (audience sts.aliyuncs.com), alone or beside credvend's", async () => {
    const before = h.assumeRoleCalls()
    const rrsa = await ack.sign(
      {},
      { iss: ACK_ISSUER, aud: 'sts.aliyuncs.com', sub: 'system:serviceaccount:billing:worker' },
    )
    const res = await h.request('/v1/credentials/billing', { method: 'POST', token: rrsa })
    expect([res.status, res.json().Code]).toEqual([401, 'ERR_AUTH_AUDIENCE'])
    const both = await ack.sign(
      {},
      {
        iss: ACK_ISSUER,
        aud: ['credvend', 'sts.aliyuncs.com'],
        sub: 'system:serviceaccount:billing:worker',
      },
    )
    const res2 = await h.request('/v1/credentials/billing', { method: 'POST', token: both })
    expect([res2.status, res2.json().Code]).toEqual([401, 'ERR_AUTH_AUDIENCE'])
    expect(h.assumeRoleCalls()).toBe(before)
  })

  it("a config that pins STS's audience for a credvend issuer does not load", async () => {
    const text = JSON.stringify({
      region: 'cn-hangzhou',
      sts: { endpoint: 'https://sts.cn-hangzhou.aliyuncs.com' },
      callers: {
        jwt: [
          {
            id: 'ack',
            issuer: ACK_ISSUER,
            audience: ['credvend', 'sts.aliyuncs.com'],
            jwks: { keys: [] },
          },
        ],
      },
      profiles: {},
    })
    await expect(loadConfig(text, envSecretResolver({}))).rejects.toThrow(
      /callers\.jwt\[0\]\.audience \(line \d+, column \d+\): sts\.aliyuncs\.com is the RRSA audience/,
    )
  })
})
