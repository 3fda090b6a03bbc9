import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import {
  acs3Authorization,
  acs3CanonicalRequest,
  acs3StringToSign,
  EMPTY_SHA256,
} from '../../../lib/signing/acs3.ts'
import sdkVectors from '../../vectors/vectors-acs3.json' with { type: 'json' }
import { acs3DocVectors, sha256DocVectors } from '../../vectors/alibaba-docs.fixture.ts'
import { openapiCore, openapiUtil } from '../../helpers/official-signers.ts'
import { paramName, paramValue } from './arbitraries.ts'
import { DIGEST_IMPLEMENTATIONS } from './digest-implementations.ts'

describe.each(DIGEST_IMPLEMENTATIONS)('ACS3-HMAC-SHA256 over %s', (_name, digests) => {
  describe('published vectors (Alibaba docs and SDK unit tests)', () => {
    for (const v of acs3DocVectors) {
      it(v.name, async () => {
        if (v.stringToSign) {
          const { request } = acs3CanonicalRequest(v.input)
          expect(await acs3StringToSign(request, digests)).toBe(v.stringToSign)
        }
        expect(await acs3Authorization(v.input, v.accessKeyId, v.secret, digests)).toBe(
          v.authorization,
        )
      })
    }
    for (const v of sha256DocVectors) {
      it(v.name, async () => expect(await digests.sha256Hex(v.data)).toBe(v.hex))
    }
    it('hashes the empty body to the constant the SDK sends', async () => {
      expect(await digests.sha256Hex('')).toBe(EMPTY_SHA256)
    })
  })

  describe('vectors produced by the official SDKs (test/vectors)', () => {
    for (const v of sdkVectors.vectors) {
      it(v.name, async () => {
        const hashedPayload = await digests.sha256Hex(v.input.body)
        expect(hashedPayload).toBe(v.expected.hashedPayload)
        const input = {
          method: v.input.method,
          pathname: v.input.pathname,
          query: v.input.query as Record<string, string>,
          headers: {
            ...(v.input.headers as Record<string, string>),
            'x-acs-content-sha256': hashedPayload,
          },
          hashedPayload,
        }
        const { request, signedHeaders } = acs3CanonicalRequest(input)
        expect(request).toBe(v.expected.canonicalRequest)
        expect(signedHeaders).toBe(v.expected.signedHeaders)
        expect(await acs3StringToSign(request, digests)).toBe(v.expected.stringToSign)
        const auth = await acs3Authorization(
          input,
          v.input.accessKeyId,
          v.input.accessKeySecret,
          digests,
        )
        expect(auth).toBe(v.expected.authorization)
      })
    }
  })

  describe('property tests against the official signers', () => {
    const headerValue = fc.stringMatching(/^[ -~]{0,20}$/)
    const extraHeaders = fc.dictionary(fc.stringMatching(/^x-acs-[a-z0-9-]{1,10}$/), headerValue, {
      maxKeys: 4,
      noNullPrototype: true,
    })
    const request = fc.record({
      method: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE'),
      query: fc.dictionary(paramName, paramValue, { maxKeys: 10, noNullPrototype: true }),
      extra: extraHeaders,
      body: fc.string({ maxLength: 64 }),
      contentType: fc.option(
        fc.constantFrom('application/x-www-form-urlencoded', 'application/json; charset=utf-8'),
      ),
    })

    it('agrees with @alicloud/openapi-core and @alicloud/openapi-util on random requests', async () => {
      await fc.assert(
        fc.asyncProperty(request, async (r) => {
          const hashedPayload = await digests.sha256Hex(r.body)
          const headers: Record<string, string> = {
            host: 'sts.cn-hangzhou.aliyuncs.com',
            'x-acs-action': 'AssumeRole',
            'x-acs-version': '2015-04-01',
            'x-acs-date': '2024-08-30T07:03:06Z',
            'x-acs-signature-nonce': 'nonce',
            'x-acs-content-sha256': hashedPayload,
            accept: 'application/json',
            ...r.extra,
            ...(r.contentType ? { 'content-type': r.contentType } : {}),
          }
          const input = { method: r.method, pathname: '/', query: r.query, headers, hashedPayload }
          const ours = await acs3Authorization(input, 'LTAI5tTestAccessKeyId', 'secret', digests)
          const tea = { method: r.method, pathname: '/', query: r.query, headers }
          expect(ours).toBe(
            openapiCore.getAuthorization(
              tea,
              'ACS3-HMAC-SHA256',
              hashedPayload,
              'LTAI5tTestAccessKeyId',
              'secret',
            ),
          )
          expect(ours).toBe(
            openapiUtil.getAuthorization(
              tea,
              'ACS3-HMAC-SHA256',
              hashedPayload,
              'LTAI5tTestAccessKeyId',
              'secret',
            ),
          )
        }),
        { numRuns: 300 },
      )
    })
  })
})
