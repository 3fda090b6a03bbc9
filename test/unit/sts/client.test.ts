import { describe, expect, it } from 'vitest'
import { createStsClient } from '../../../lib/sts/client.ts'
import { isVendError, type VendError } from '../../../lib/errors.ts'
import { openapiCore } from '../../helpers/official-signers.ts'
import {
  assumeRoleBody,
  fixedDeps,
  jsonResponse,
  scriptedFetch,
} from '../../helpers/scripted-fetch.ts'

const ENDPOINT = 'https://sts.cn-hangzhou.aliyuncs.com'
const longLived = {
  accessKeyId: 'LTAI5tTestAccessKeyId',
  accessKeySecret: 'TestAccessKeySecret0123456789abc',
  source: 'test',
}
const temporary = {
  ...longLived,
  accessKeyId: 'STS.NUgYrLnoC37mZZCNnAbez2xKA',
  securityToken: 'CAIS+token/=',
}
const input = {
  roleArn: 'acs:ram::1234567890123456:role/oss-writer',
  roleSessionName: 'jwt.web.alice',
  durationSeconds: 900,
}

const refusal = async (call: Promise<unknown>): Promise<VendError> => {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  )
  if (!isVendError(error)) throw new Error(`expected a VendError, got ${String(error)}`)
  return error
}

describe('STS client: what goes on the wire', () => {
  it('RPC-HMAC-SHA1 by default: common params and Signature in the query, business params in the form body', async () => {
    const { fetch, requests } = scriptedFetch(() => jsonResponse(assumeRoleBody()))
    await createStsClient({ endpoint: ENDPOINT }, fixedDeps(fetch)).assumeRole(temporary, input)
    const request = requests[0]!
    const url = new URL(request.url)
    const query = Object.fromEntries(url.searchParams)
    const form = Object.fromEntries(new URLSearchParams(await request.text()))
    expect(request.method).toBe('POST')
    expect(request.headers.get('content-type')).toBe('application/x-www-form-urlencoded')
    expect(query).toMatchObject({
      Action: 'AssumeRole',
      Version: '2015-04-01',
      SignatureMethod: 'HMAC-SHA1',
      SignatureVersion: '1.0',
      Timestamp: '2026-11-22T10:00:00Z',
      SecurityToken: temporary.securityToken,
    })
    expect(form).toEqual({
      RoleArn: input.roleArn,
      RoleSessionName: 'jwt.web.alice',
      DurationSeconds: '900',
    })
    const { Signature, ...signed } = { ...query, ...form }
    expect(Signature).toBe(openapiCore.getRPCSignature(signed, 'POST', temporary.accessKeySecret))
  })

  it('omits SecurityToken for a long-lived AccessKey', async () => {
    const { fetch, requests } = scriptedFetch(() => jsonResponse(assumeRoleBody()))
    await createStsClient({ endpoint: ENDPOINT }, fixedDeps(fetch)).assumeRole(longLived, input)
    expect(new URL(requests[0]!.url).searchParams.has('SecurityToken')).toBe(false)
  })

  it('ACS3-HMAC-SHA256 when configured: signed headers, token headers, hashed form body', async () => {
    const { fetch, requests } = scriptedFetch(() => jsonResponse(assumeRoleBody()))
    await createStsClient(
      { endpoint: ENDPOINT, signature: 'acs3-hmac-sha256' },
      fixedDeps(fetch),
    ).assumeRole(temporary, input)
    const request = requests[0]!
    const headers = Object.fromEntries(request.headers)
    expect(headers['x-acs-security-token']).toBe(temporary.securityToken)
    expect(headers['x-acs-accesskey-id']).toBe(temporary.accessKeyId)
    const { authorization: _sent, ...rest } = headers
    const signedHeaders = { ...rest, host: 'sts.cn-hangzhou.aliyuncs.com' }
    const expected = openapiCore.getAuthorization(
      { method: 'POST', pathname: '/', query: {}, headers: signedHeaders },
      'ACS3-HMAC-SHA256',
      headers['x-acs-content-sha256']!,
      temporary.accessKeyId,
      temporary.accessKeySecret,
    )
    expect(headers.authorization).toBe(expected)
  })

  it('AssumeRoleWithOIDC is unsigned: no AccessKeyId, no Signature', async () => {
    const { fetch, requests } = scriptedFetch(() => jsonResponse(assumeRoleBody()))
    await createStsClient({ endpoint: ENDPOINT }, fixedDeps(fetch)).assumeRoleWithOidc({
      roleArn: input.roleArn,
      oidcProviderArn: 'acs:ram::1234567890123456:oidc-provider/ack',
      oidcToken: 'eyJ.token.sig',
      roleSessionName: 'billing',
    })
    const url = new URL(requests[0]!.url)
    expect([...url.searchParams.keys()].sort()).toEqual([
      'Action',
      'Format',
      'Timestamp',
      'Version',
    ])
    expect(requests[0]!.headers.get('authorization')).toBeNull()
  })

  it('checks STS limits before sending anything', async () => {
    const { fetch, requests } = scriptedFetch()
    const sts = createStsClient({ endpoint: ENDPOINT }, fixedDeps(fetch))
    for (const bad of [
      { ...input, roleArn: 'arn:aws:iam::1:role/x' },
      { ...input, roleSessionName: 'a' },
      { ...input, roleSessionName: 'has space' },
      { ...input, durationSeconds: 899 },
      { ...input, policy: 'x'.repeat(2049) },
      { ...input, externalId: 'bad id!' },
      { ...input, sourceIdentity: 'acs:reserved' },
    ]) {
      expect((await refusal(sts.assumeRole(longLived, bad))).code).toBe('ERR_BAD_REQUEST')
    }
    expect(requests).toHaveLength(0)
  })

  it('parses the reply into camelCase with a Date expiration', async () => {
    const { fetch } = scriptedFetch(() =>
      jsonResponse(assumeRoleBody({ Expiration: '2026-11-22T11:00:00.123Z' })),
    )
    const reply = await createStsClient({ endpoint: ENDPOINT }, fixedDeps(fetch)).assumeRole(
      longLived,
      input,
    )
    expect(reply.credentials).toEqual({
      accessKeyId: 'STS.abc',
      accessKeySecret: 'sts-secret',
      securityToken: 'CAIS-token',
      expiration: new Date('2026-11-22T11:00:00.123Z'),
    })
    expect(reply.requestId).toBe('REQ-1')
  })
})

describe('STS client: Alibaba errors mapped to credvend codes in one place', () => {
  const cases: Array<[string, number, Record<string, string>, string, boolean]> = [
    ['Throttling.User', 400, {}, 'ERR_STS_THROTTLED', true],
    ['SomethingNew', 400, { 'x-acs-retry-after': '3' }, 'ERR_STS_THROTTLED', true],
    ['InternalError', 500, {}, 'ERR_STS_UNAVAILABLE', true],
    ['SomethingNew', 503, {}, 'ERR_STS_UNAVAILABLE', true],
    ['SignatureDoesNotMatch', 400, {}, 'ERR_STS_SOURCE_CREDENTIALS', false],
    ['InvalidSecurityToken.Expired', 400, {}, 'ERR_STS_SOURCE_CREDENTIALS', false],
    ['InvalidAccessKeyId.NotFound', 404, {}, 'ERR_STS_SOURCE_CREDENTIALS', false],
    ['NoPermission', 403, {}, 'ERR_STS_DENIED', false],
    ['EntityNotExist.Role', 404, {}, 'ERR_STS_DENIED', false],
    ['InvalidParameter.PolicyGrammar', 400, {}, 'ERR_STS_REJECTED', false],
  ]
  for (const [alibaba, status, headers, ours, retryable] of cases) {
    it(`${alibaba} (HTTP ${status}${headers['x-acs-retry-after'] ? ', x-acs-retry-after' : ''}) → ${ours}`, async () => {
      const leaky = `server string to sign is:POST&%2F&AccessKeyId%3D${longLived.accessKeyId} secret=${longLived.accessKeySecret}`
      const { fetch } = scriptedFetch(() =>
        jsonResponse({ Code: alibaba, Message: leaky, RequestId: 'R-9' }, status, headers),
      )
      const e = await refusal(
        createStsClient({ endpoint: ENDPOINT }, fixedDeps(fetch)).assumeRole(longLived, input),
      )
      expect(e.code).toBe(ours)
      expect(e.retryable).toBe(retryable)
      expect(e.upstream).toEqual({
        service: 'sts',
        code: alibaba,
        requestId: 'R-9',
        httpStatus: status,
      })
      if (headers['x-acs-retry-after']) expect(e.retryAfterSeconds).toBe(3)
      expect(e.message).not.toContain(longLived.accessKeySecret)
      expect(e.message).not.toContain('string to sign')
    })
  }

  it('a network failure → ERR_STS_UNAVAILABLE (retryable)', async () => {
    const { fetch } = scriptedFetch(() => Promise.reject(new TypeError('fetch failed')))
    const e = await refusal(
      createStsClient({ endpoint: ENDPOINT }, fixedDeps(fetch)).assumeRole(longLived, input),
    )
    expect([e.code, e.retryable]).toEqual(['ERR_STS_UNAVAILABLE', true])
  })

  it('no answer within the timeout → ERR_STS_TIMEOUT (the signal is honoured, nothing waits longer)', async () => {
    const hang = (request: Request) =>
      new Promise<Response>((_, reject) =>
        request.signal.addEventListener('abort', () => reject(request.signal.reason)),
      )
    const { fetch } = scriptedFetch(hang)
    const e = await refusal(
      createStsClient({ endpoint: ENDPOINT, timeoutMs: 20 }, fixedDeps(fetch)).assumeRole(
        longLived,
        input,
      ),
    )
    expect([e.code, e.retryable]).toEqual(['ERR_STS_TIMEOUT', true])
  })

  it('a 2xx reply that is not an AssumeRole reply → ERR_STS_BAD_RESPONSE', async () => {
    for (const body of [
      '<html>',
      JSON.stringify(assumeRoleBody({ Expiration: '2026-11-22T11:00:00+00:00' })),
    ]) {
      const { fetch } = scriptedFetch(() => new Response(body, { status: 200 }))
      const e = await refusal(
        createStsClient({ endpoint: ENDPOINT }, fixedDeps(fetch)).assumeRole(longLived, input),
      )
      expect(e.code).toBe('ERR_STS_BAD_RESPONSE')
    }
  })

  it('a redirect is not followed', async () => {
    const { fetch, requests } = scriptedFetch(
      () => new Response(null, { status: 302, headers: { location: 'https://evil.example.com/' } }),
    )
    const e = await refusal(
      createStsClient({ endpoint: ENDPOINT }, fixedDeps(fetch)).assumeRole(longLived, input),
    )
    expect(e.code).toBe('ERR_STS_REJECTED')
    expect(requests).toHaveLength(1)
    expect(requests[0]!.redirect).toBe('manual')
  })
})
