import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import type { Credentials } from '../../../lib/credentials/types.ts'
import { digestsOf, webDigests } from '../../../lib/crypto/digests.ts'
import { prepareSignedCall, type SignatureScheme } from '../../../lib/openapi/signed-request.ts'
import { formatTimestamp } from '../../../lib/signing/timestamp.ts'
import { nodeDigests } from '../../../functions/node/platform/native-digests.ts'
import { openapiCore } from '../../helpers/official-signers.ts'
import { anyParamName, paramValue } from '../signing/arbitraries.ts'
import { DIGEST_IMPLEMENTATIONS } from '../signing/digest-implementations.ts'

const target = {
  endpoint: new URL('https://sts.cn-hangzhou.aliyuncs.com'),
  action: 'AssumeRole',
  version: '2015-04-01',
}

/** RFC 3986 encoding written out here, so the expected form does not lean on lib/'s encoder. */
const encode = (value: string) =>
  encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  )
const form = (entries: ReadonlyArray<readonly [string, string]>) =>
  entries.map(([k, v]) => `${encode(k)}=${encode(v)}`).join('&')

const params = fc.dictionary(anyParamName, paramValue, { maxKeys: 8, noNullPrototype: true })
const credentials: fc.Arbitrary<Credentials> = fc
  .tuple(
    fc.stringMatching(/^(LTAI|STS\.)[A-Za-z0-9]{8,24}$/),
    fc.string({ minLength: 1, maxLength: 40 }),
    fc.option(fc.string({ minLength: 1, maxLength: 60 }), { nil: undefined }),
  )
  .map(([accessKeyId, accessKeySecret, securityToken]) => ({
    accessKeyId,
    accessKeySecret,
    ...(securityToken ? { securityToken } : {}),
    source: 'test',
  }))
const signer = fc.record({
  credentials,
  now: fc.date({ min: new Date('2000-01-01'), max: new Date('2099-12-31'), noInvalidDate: true }),
  nonce: fc.stringMatching(/^[0-9a-f]{32}$/),
})

describe.each(DIGEST_IMPLEMENTATIONS)('a prepared RPC call over %s', (_name, digests) => {
  it("writes the query in the Credentials tools' order, signed over query and body with the form body holding the call's parameters", async () => {
    const assumeRole = prepareSignedCall(target, 'rpc-hmac-sha1', digests)
    await fc.assert(
      fc.asyncProperty(params, signer, async (business, s) => {
        const { accessKeyId, accessKeySecret, securityToken } = s.credentials
        const common: Array<[string, string]> = [
          ['Action', 'AssumeRole'],
          ['Version', '2015-04-01'],
          ['Format', 'JSON'],
          ['Timestamp', formatTimestamp(s.now)],
          ['SignatureMethod', 'HMAC-SHA1'],
          ['SignatureVersion', '1.0'],
          ['SignatureNonce', s.nonce],
          ['AccessKeyId', accessKeyId],
          ...(securityToken ? [['SecurityToken', securityToken] as [string, string]] : []),
        ]
        const signed = { ...business, ...Object.fromEntries(common) }
        const signature = openapiCore.getRPCSignature(signed, 'POST', accessKeySecret)
        const request = await assumeRole(business, s)
        expect(request.url).toBe(
          `https://sts.cn-hangzhou.aliyuncs.com/?${form([...common, ['Signature', signature]])}`,
        )
        expect(request.init).toEqual({
          method: 'POST',
          headers: {
            'content-type': 'application/x-www-form-urlencoded',
            accept: 'application/json',
          },
          body: form(Object.entries(business)),
        })
      }),
      { numRuns: 200 },
    )
  })

  it('shares one frozen header object, so no request can change what the next one sends', async () => {
    const assumeRole = prepareSignedCall(target, 'rpc-hmac-sha1', digests)
    const s = { credentials: { accessKeyId: 'LTAI5tTest', accessKeySecret: 'k', source: 't' } }
    const first = await assumeRole({}, { ...s, now: new Date(0), nonce: 'a' })
    expect(() => Object.assign(first.init.headers, { accept: 'text/html' })).toThrow(TypeError)
    const second = await assumeRole({}, { ...s, now: new Date(0), nonce: 'b' })
    expect(second.init.headers).toEqual({
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'application/json',
    })
    expect(second.url).not.toBe(first.url)
  })
})

describe('node:crypto and Web Crypto build the same request, byte for byte', () => {
  for (const scheme of ['rpc-hmac-sha1', 'acs3-hmac-sha256'] as SignatureScheme[]) {
    it(scheme, async () => {
      const overWeb = prepareSignedCall(target, scheme, webDigests)
      const overNative = prepareSignedCall(target, scheme, digestsOf(nodeDigests))
      await fc.assert(
        fc.asyncProperty(params, signer, async (business, s) => {
          expect(await overNative(business, s)).toEqual(await overWeb(business, s))
        }),
        { numRuns: 200 },
      )
    })
  }
})
