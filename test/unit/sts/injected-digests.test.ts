import { afterEach, describe, expect, it, vi } from 'vitest'
import type { NativeDigests } from '../../../lib/crypto/digests.ts'
import { createKmsClient } from '../../../lib/kms/client.ts'
import type { SignatureScheme } from '../../../lib/openapi/signed-request.ts'
import { createStsClient } from '../../../lib/sts/client.ts'
import { nodeDigests } from '../../../functions/node/platform/native-digests.ts'
import { openapiCore } from '../../helpers/official-signers.ts'
import {
  assumeRoleBody,
  fixedDeps,
  jsonResponse,
  scriptedFetch,
} from '../../helpers/scripted-fetch.ts'

const source = {
  accessKeyId: 'LTAI5tTestAccessKeyId',
  accessKeySecret: 'TestAccessKeySecret0123456789abc',
  source: 'test',
}

/** node:crypto's digests, each call counted. */
const watchedDigests = () => {
  const digests = {
    sha256Hex: vi.fn(nodeDigests.sha256Hex),
    hmacSha1Base64: vi.fn(nodeDigests.hmacSha1Base64),
    hmacSha256: vi.fn(nodeDigests.hmacSha256),
    hmacSha256Hex: vi.fn(nodeDigests.hmacSha256Hex),
  } satisfies NativeDigests
  return digests
}

/** Web Crypto, watched: with native digests given, signing must never reach it. */
const watchedSubtle = () => ({
  sign: vi.spyOn(crypto.subtle, 'sign'),
  digest: vi.spyOn(crypto.subtle, 'digest'),
})

afterEach(() => {
  vi.restoreAllMocks()
})

/** The RPC signature of a sent request, checked by the official signer. */
const expectOfficialRpcSignature = async (request: Request) => {
  const query = Object.fromEntries(new URL(request.url).searchParams)
  const form = Object.fromEntries(new URLSearchParams(await request.text()))
  const { Signature, ...signed } = { ...query, ...form }
  expect(Signature).toBe(openapiCore.getRPCSignature(signed, 'POST', source.accessKeySecret))
}

describe("the STS client signs with the runtime's digests when it has them", () => {
  const expected: Record<SignatureScheme, Array<keyof NativeDigests>> = {
    'rpc-hmac-sha1': ['hmacSha1Base64'],
    'acs3-hmac-sha256': ['sha256Hex', 'hmacSha256Hex'],
  }
  for (const [signature, used] of Object.entries(expected) as Array<
    [SignatureScheme, Array<keyof NativeDigests>]
  >) {
    it(`${signature}: ${used.join(' and ')}, and never Web Crypto`, async () => {
      const digests = watchedDigests()
      const subtle = watchedSubtle()
      const { fetch, requests } = scriptedFetch(() => jsonResponse(assumeRoleBody()))
      const sts = createStsClient(
        { endpoint: 'https://sts.cn-hangzhou.aliyuncs.com', signature },
        { ...fixedDeps(fetch), digests },
      )
      const reply = await sts.assumeRole(source, {
        roleArn: 'acs:ram::1234567890123456:role/oss-writer',
        roleSessionName: 'jwt.web.alice',
      })
      expect(reply.credentials.accessKeyId).toBe('STS.abc')
      for (const name of used) expect(digests[name]).toHaveBeenCalled()
      expect(subtle.sign).not.toHaveBeenCalled()
      expect(subtle.digest).not.toHaveBeenCalled()
      if (signature === 'rpc-hmac-sha1') await expectOfficialRpcSignature(requests[0]!)
    })
  }
})

describe("the KMS client signs with the runtime's digests when it has them", () => {
  it('GetSecretValue: HMAC-SHA1 from node:crypto, a signature the official signer agrees with', async () => {
    const digests = watchedDigests()
    const subtle = watchedSubtle()
    const { fetch, requests } = scriptedFetch(() =>
      jsonResponse({
        RequestId: 'R-1',
        SecretName: 'erp-ram-ak',
        VersionId: 'v1',
        SecretData: '{}',
      }),
    )
    const kms = createKmsClient(
      { endpoint: 'https://kms.cn-hangzhou.aliyuncs.com' },
      { ...fixedDeps(fetch), digests },
    )
    expect((await kms.getSecretValue(source, { secretName: 'erp-ram-ak' })).secretData).toBe('{}')
    expect(digests.hmacSha1Base64).toHaveBeenCalledOnce()
    expect(subtle.sign).not.toHaveBeenCalled()
    await expectOfficialRpcSignature(requests[0]!)
  })
})
