import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { flattenParams, type RpcValue } from '../../../lib/signing/flatten.ts'
import {
  rpcCanonicalQuery,
  rpcSignature,
  rpcSigner,
  rpcStringToSign,
} from '../../../lib/signing/rpc-v1.ts'
import sdkVectors from '../../vectors/vectors-rpc.json' with { type: 'json' }
import { hmacSha1DocVectors, rpcDocVectors } from '../../vectors/alibaba-docs.fixture.ts'
import { openapiCore, openapiUtil } from '../../helpers/official-signers.ts'
import { anyParamName, paramName, paramValue } from './arbitraries.ts'
import { DIGEST_IMPLEMENTATIONS } from './digest-implementations.ts'

describe.each(DIGEST_IMPLEMENTATIONS)('RPC-HMAC-SHA1 over %s', (_name, digests) => {
  describe('published vectors (Alibaba docs and SDK unit tests)', () => {
    for (const v of rpcDocVectors) {
      it(v.name, async () => {
        expect(rpcStringToSign(v.method, v.params)).toBe(v.stringToSign)
        expect(await rpcSignature(v.method, v.params, v.secret, digests)).toBe(v.signature)
      })
    }
    for (const v of hmacSha1DocVectors) {
      it(v.name, async () => {
        expect(await digests.hmacSha1Base64(v.key, v.data)).toBe(v.base64)
      })
    }
  })

  describe('vectors produced by the official SDKs (test/vectors)', () => {
    for (const v of sdkVectors.vectors) {
      it(v.name, async () => {
        const params = flattenParams(v.input.params as Record<string, RpcValue>)
        expect(rpcStringToSign(v.input.method, params)).toBe(v.expected.stringToSign)
        const signature = await rpcSignature(
          v.input.method,
          params,
          v.input.accessKeySecret,
          digests,
        )
        expect(signature).toBe(v.expected.signature)
        const signedQuery = `${rpcCanonicalQuery(params)}&Signature=${encodeURIComponent(signature)}`
        expect(signedQuery).toBe(v.expected.signedQuery)
      })
    }
  })

  describe('property tests against the official signers', () => {
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
          const ours = await rpcSignature(m, params, s, digests)
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
          const ours = await rpcSignature('POST', flattenParams(params), 'k', digests)
          expect(ours).toBe(openapiCore.getRPCSignature(params, 'POST', 'k'))
        }),
        { numRuns: 150 },
      )
    })
  })

  describe('rpcSigner: parameters fixed per client, encoded once', () => {
    const dictionary = fc.dictionary(anyParamName, paramValue, {
      maxKeys: 8,
      noNullPrototype: true,
    })

    it('signs what rpcSignature signs over the merged parameters, a fixed value winning a shared name', async () => {
      await fc.assert(
        fc.asyncProperty(dictionary, dictionary, async (fixed, params) => {
          const merged = { ...params, ...fixed }
          const signer = rpcSigner('POST', fixed, digests)
          expect(signer.stringToSign(params)).toBe(rpcStringToSign('POST', merged))
          expect(await signer.sign(params, 'k')).toBe(
            openapiCore.getRPCSignature(merged, 'POST', 'k'),
          )
        }),
        { numRuns: 200 },
      )
    })

    it('never signs Signature, fixed or per call, and overrides only the names it was given', () => {
      const signer = rpcSigner('POST', { Action: 'AssumeRole', Signature: 'a' }, digests)
      const params = { RoleArn: 'r', Signature: 'b' }
      expect(signer.stringToSign(params)).toBe(
        rpcStringToSign('POST', { Action: 'AssumeRole', RoleArn: 'r' }),
      )
      expect(signer.stringToSign({ Action: 'other', toString: 'x' })).toBe(
        rpcStringToSign('POST', { Action: 'AssumeRole', toString: 'x' }),
      )
    })
  })
})
