import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { flattenParams, type RpcValue } from '../../../lib/signing/flatten.ts'
import { rpcCanonicalQuery, rpcSignature, rpcStringToSign } from '../../../lib/signing/rpc-v1.ts'
import { hmacSha1Base64 } from '../../../lib/crypto/hmac.ts'
import sdkVectors from '../../vectors/vectors-rpc.json' with { type: 'json' }
import { hmacSha1DocVectors, rpcDocVectors } from '../../vectors/alibaba-docs.fixture.ts'
import { openapiCore, openapiUtil } from '../../helpers/official-signers.ts'
import { anyParamName, paramName, paramValue } from './arbitraries.ts'

describe('RPC-HMAC-SHA1: published vectors (Alibaba docs and SDK unit tests)', () => {
  for (const v of rpcDocVectors) {
    it(v.name, async () => {
      expect(rpcStringToSign(v.method, v.params)).toBe(v.stringToSign)
      expect(await rpcSignature(v.method, v.params, v.secret)).toBe(v.signature)
    })
  }
  for (const v of hmacSha1DocVectors) {
    it(v.name, async () => {
      expect(await hmacSha1Base64(v.key, v.data)).toBe(v.base64)
    })
  }
})

describe('RPC-HMAC-SHA1: vectors produced by the official SDKs (test/vectors)', () => {
  for (const v of sdkVectors.vectors) {
    it(v.name, async () => {
      const params = flattenParams(v.input.params as Record<string, RpcValue>)
      expect(rpcStringToSign(v.input.method, params)).toBe(v.expected.stringToSign)
      const signature = await rpcSignature(v.input.method, params, v.input.accessKeySecret)
      expect(signature).toBe(v.expected.signature)
      const signedQuery = `${rpcCanonicalQuery(params)}&Signature=${encodeURIComponent(signature)}`
      expect(signedQuery).toBe(v.expected.signedQuery)
    })
  }
})

describe('RPC-HMAC-SHA1: property tests against the official signers', () => {
  const paramSet = fc.dictionary(anyParamName, paramValue, {
    minKeys: 1,
    maxKeys: 12,
    noNullPrototype: true,
  })
  const method = fc.constantFrom('GET', 'POST')
  const secret = fc.string({ minLength: 1, maxLength: 40 })

  it('agrees with @alicloud/openapi-core and @alicloud/openapi-util on random parameter sets', async () => {
    await fc.assert(
      fc.asyncProperty(paramSet, method, secret, async (params, m, s) => {
        const ours = await rpcSignature(m, params, s)
        expect(ours).toBe(openapiCore.getRPCSignature(params, m, s))
        expect(ours).toBe(openapiUtil.getRPCSignature(params, m, s))
      }),
      { numRuns: 300 },
    )
  })

  it('flattens nested lists and objects the way openapi-core signs them', async () => {
    const leaf = fc.string({ maxLength: 8 })
    const nested = fc.dictionary(
      paramName,
      fc.oneof(
        leaf,
        fc.array(leaf, { maxLength: 3 }),
        fc.array(fc.dictionary(paramName, leaf, { maxKeys: 2, noNullPrototype: true }), {
          maxLength: 2,
        }),
      ),
      { minKeys: 1, maxKeys: 5, noNullPrototype: true },
    )
    await fc.assert(
      fc.asyncProperty(nested, async (params) => {
        const ours = await rpcSignature('POST', flattenParams(params), 'k')
        expect(ours).toBe(openapiCore.getRPCSignature(params, 'POST', 'k'))
      }),
      { numRuns: 150 },
    )
  })
})
