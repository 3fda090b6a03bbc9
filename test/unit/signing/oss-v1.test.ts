import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import {
  OSS_V1_SUB_RESOURCES,
  ossV1CanonicalResource,
  ossV1PostSignature,
  ossV1Signature,
  ossV1StringToSign,
} from '../../../lib/emulator/oss/oss-v1.ts'
import postVectors from '../../vectors/vectors-oss-post.json' with { type: 'json' }
import { ossV1GoVectors } from '../../vectors/oss-go-sdk.fixture.ts'
import { aliOss, aliOssClient } from './ali-oss-oracle.ts'
import { readCapturedRequest } from './captured-request.ts'
import { bucket, objectKey, paramValue } from './arbitraries.ts'

/** Secrets as an ali-oss client accepts them: its constructor trims the id and the secret. */
const clientSecret = fc
  .string({ unit: 'grapheme', minLength: 1, maxLength: 40 })
  .filter((s) => s.trim() === s)

/** The secret the captured ali-oss requests were signed with (not recorded beside the captures in test/vectors). */
const CAPTURE_SECRET = 'ossTestSecret'

const authorizationOf = async (accessKeyId: string, secret: string, stringToSign: string) =>
  `OSS ${accessKeyId}:${await ossV1Signature(secret, stringToSign)}`

describe('OSS V1: vectors from the Go SDK v2 tests', () => {
  for (const v of ossV1GoVectors) {
    it(v.name, async () => {
      const resource = ossV1CanonicalResource(v.bucket, v.key, v.query)
      const stringToSign = ossV1StringToSign({ method: v.method, headers: v.headers, resource })
      expect(stringToSign).toBe(v.stringToSign)
      expect(await authorizationOf('ak', v.secret, stringToSign)).toBe(v.authorization)
    })
  }
})

describe('OSS V1: the PutObject ali-oss sent (test/vectors/captured-oss-put.txt)', () => {
  const put = readCapturedRequest('captured-oss-put.txt')
  // Path-style request: /<bucket>/<key>, the key percent-encoded on the wire.
  const url = new URL(put.target, 'http://localhost')
  const [, bucket, ...keyParts] = url.pathname.split('/')
  const key = decodeURIComponent(keyParts.join('/'))
  const [, accessKeyId] = /^OSS ([^:]+):/.exec(put.headers['authorization']!)!

  it('verifies: the resource holds the decoded key, the date line is x-oss-date', async () => {
    const resource = ossV1CanonicalResource(bucket, key, url.searchParams)
    expect(resource).toBe('/my-bucket/dir/hello world.txt')
    const stringToSign = ossV1StringToSign({ method: put.method, headers: put.headers, resource })
    expect(stringToSign.split('\n')[3]).toBe(put.headers['x-oss-date'])
    expect(put.headers['date']).toBeUndefined()
    expect(await authorizationOf(accessKeyId!, CAPTURE_SECRET, stringToSign)).toBe(
      put.headers['authorization'],
    )
  })

  it('fails to verify once a signed header, the key or the secret differs', async () => {
    const sign = (headers: Record<string, string>, k: string, secret: string) =>
      authorizationOf(
        accessKeyId!,
        secret,
        ossV1StringToSign({
          method: put.method,
          headers,
          resource: ossV1CanonicalResource(bucket, k, []),
        }),
      )
    const captured = put.headers['authorization']
    expect(await sign(put.headers, key, CAPTURE_SECRET)).toBe(captured)
    expect(
      await sign({ ...put.headers, 'x-oss-security-token': 'CAISother' }, key, CAPTURE_SECRET),
    ).not.toBe(captured)
    expect(
      await sign({ ...put.headers, 'content-type': 'text/html' }, key, CAPTURE_SECRET),
    ).not.toBe(captured)
    expect(await sign(put.headers, 'dir/hello%20world.txt', CAPTURE_SECRET)).not.toBe(captured)
    expect(await sign(put.headers, key, `${CAPTURE_SECRET}x`)).not.toBe(captured)
  })
})

describe('OSS V1: PostObject policy signatures (vectors-oss-post.json, ali-oss calculatePostSignature)', () => {
  for (const v of postVectors.vectors) {
    it(v.name, async () => {
      const policyBase64 = Buffer.from(JSON.stringify(v.input.policy), 'utf8').toString('base64')
      expect(policyBase64).toBe(v.expected.v1.policy)
      expect(await ossV1PostSignature(v.input.accessKeySecret, policyBase64)).toBe(
        v.expected.v1.Signature,
      )
    })
  }

  it('agrees with ali-oss calculatePostSignature on random policies and secrets', async () => {
    await fc.assert(
      fc.asyncProperty(
        clientSecret,
        fc.record({
          expiration: fc.constant('2024-08-30T08:03:06.000Z'),
          conditions: fc.array(fc.dictionary(fc.string(), paramValue), { maxLength: 4 }),
        }),
        async (secret, policy) => {
          const theirs = aliOssClient({
            accessKeyId: 'ak',
            accessKeySecret: secret,
            region: 'oss-cn-hangzhou',
          }).calculatePostSignature(policy)
          expect(await ossV1PostSignature(secret, theirs.policy)).toBe(theirs.Signature)
        },
      ),
      { numRuns: 100 },
    )
  })
})

describe('OSS V1: canonical resource and string to sign', () => {
  it('signs only sub-resources, sorted, an empty value as the bare name, values undecoded', () => {
    const query: [string, string][] = [
      ['uploadId', 'a b+c%2F'],
      ['prefix', 'x'],
      ['partNumber', '1'],
      ['max-keys', '10'],
      ['x-oss-process', 'image/resize,w_100'],
      ['acl', ''],
      ['uploadId', 'second value ignored'],
    ]
    expect(ossV1CanonicalResource('b', 'k/é ..', query)).toBe(
      '/b/k/é ..?acl&partNumber=1&uploadId=a b+c%2F&x-oss-process=image/resize,w_100',
    )
    expect(ossV1CanonicalResource('b', undefined, [['acl', '']])).toBe('/b/?acl')
    expect(ossV1CanonicalResource(undefined, undefined, [])).toBe('/')
  })

  it('falls back to the Date header when there is no x-oss-date (the Go SDK v2 sends Date only)', () => {
    const headers = { date: 'Wed, 28 Dec 2022 10:27:41 GMT', 'content-type': 'text/html' }
    expect(ossV1StringToSign({ method: 'get', headers, resource: '/b/k' })).toBe(
      'GET\n\ntext/html\nWed, 28 Dec 2022 10:27:41 GMT\n/b/k',
    )
  })
})

describe('OSS V1: property tests against ali-oss signUtils', () => {
  const subResources = fc.dictionary(
    fc.constantFrom(...OSS_V1_SUB_RESOURCES, 'x-oss-process', 'x-oss-traffic-limit'),
    fc.oneof(fc.constant(''), paramValue),
    { maxKeys: 5, noNullPrototype: true },
  )
  // Parameters ali-oss sends as plain query, unsigned; a verifier must leave them out.
  const plainQuery = fc.dictionary(
    fc.constantFrom(
      'prefix',
      'marker',
      'max-keys',
      'list-type',
      'delimiter',
      'encoding-type',
      'start-after',
    ),
    paramValue,
    { maxKeys: 3, noNullPrototype: true },
  )
  const headerValue = fc.stringMatching(/^ ?[!-~][ -~]{0,20} ?$/)
  const headers = fc.record({
    'x-oss-date': fc
      .date({ min: new Date('2000-01-01'), max: new Date('2099-12-31'), noInvalidDate: true })
      .map((d) => d.toUTCString()),
    extra: fc.dictionary(fc.stringMatching(/^x-oss-(meta-)?[a-z0-9-]{1,10}$/), headerValue, {
      maxKeys: 4,
      noNullPrototype: true,
    }),
    token: fc.option(fc.stringMatching(/^CAIS[A-Za-z0-9+/=]{4,40}$/)),
    contentType: fc.option(fc.constantFrom('text/plain', 'application/octet-stream', 'image/jpeg')),
    contentMd5: fc.option(fc.base64String({ minLength: 24, maxLength: 24 })),
    unsigned: fc.dictionary(
      fc.constantFrom('user-agent', 'content-length', 'range', 'cache-control'),
      headerValue,
      { noNullPrototype: true },
    ),
  })
  const request = fc.record({
    method: fc.constantFrom('GET', 'PUT', 'POST', 'DELETE', 'HEAD'),
    bucket,
    key: fc.option(objectKey),
    subResources,
    plainQuery,
    headers,
    secret: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }),
  })

  it('matches ali-oss string to sign and Authorization on random requests', async () => {
    const client = aliOssClient({
      accessKeyId: 'ak',
      accessKeySecret: 'unused',
      region: 'oss-cn-hangzhou',
    })
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        const h = r.headers
        const wireHeaders: Record<string, string> = {
          ...h.unsigned,
          ...h.extra,
          'x-oss-date': h['x-oss-date'],
          ...(h.token ? { 'x-oss-security-token': h.token } : {}),
          ...(h.contentType ? { 'content-type': h.contentType } : {}),
          ...(h.contentMd5 ? { 'content-md5': h.contentMd5 } : {}),
        }
        const key = r.key ?? undefined
        const theirResource = client._getResource({
          bucket: r.bucket,
          ...(key ? { object: key } : {}),
        })
        const theirs = aliOss.buildCanonicalString(r.method, theirResource, {
          headers: wireHeaders,
          parameters: r.subResources,
        })

        const query = [...Object.entries(r.plainQuery), ...Object.entries(r.subResources)]
        const resource = ossV1CanonicalResource(r.bucket, key, query)
        const ours = ossV1StringToSign({ method: r.method, headers: wireHeaders, resource })
        expect(ours).toBe(theirs)
        expect(await authorizationOf('ak', r.secret, ours)).toBe(
          aliOss.authorization('ak', r.secret, theirs),
        )
      }),
      { numRuns: 300 },
    )
  })
})
