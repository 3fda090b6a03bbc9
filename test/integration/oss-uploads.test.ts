import { request as httpRequest } from 'node:http'
import { createRequire } from 'node:module'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startVendHarness, type VendHarness } from '../helpers/vend-harness.ts'

// ali-oss is the independent oracle: its own signer, multipart logic and XML parsing, unchanged.
const require = createRequire(import.meta.url)
const OSS = require('ali-oss') as new (options: Record<string, unknown>) => AliOss
const signUtils = require('ali-oss/lib/common/signUtils') as {
  buildCanonicalString(
    method: string,
    resource: string,
    request: { headers: Record<string, string> },
  ): string
  authorization(accessKeyId: string, secret: string, canonical: string): string
}

interface AliOss {
  put(name: string, body: Buffer): Promise<{ res: { status: number } }>
  get(name: string): Promise<{ content: Buffer }>
  list(
    query: Record<string, unknown>,
    options?: unknown,
  ): Promise<{ objects?: Array<{ name: string }> }>
  multipartUpload(
    name: string,
    body: Buffer,
    options: Record<string, unknown>,
  ): Promise<{ res: { status: number } }>
}

let h: VendHarness
let alice: string
let bob: string

/** An ali-oss client built from a vend response, as a browser helper would. */
const clientFrom = (body: Record<string, string>, v4: boolean) =>
  new OSS({
    accessKeyId: body.AccessKeyId,
    accessKeySecret: body.AccessKeySecret,
    stsToken: body.SecurityToken,
    bucket: body.Bucket,
    region: body.Region,
    endpoint: body.Endpoint,
    // Node cannot resolve `bucket.localhost`; path style is ali-oss's documented second-level-domain mode.
    sldEnable: true,
    authorizationV4: v4,
    retryMax: 0,
    refreshSTSToken: async () => ({
      accessKeyId: body.AccessKeyId,
      accessKeySecret: body.AccessKeySecret,
      stsToken: body.SecurityToken,
    }),
    refreshSTSTokenInterval: 3_600_000,
  })

const vend = async (token: string, profile = 'photos') => {
  const res = await h.request(`/v1/credentials/${profile}`, { method: 'POST', token })
  expect(res.status, res.text).toBe(200)
  return res.json() as Record<string, string>
}

const admin = () =>
  new OSS({
    accessKeyId: h.emulator.demo.admin.accessKeyId,
    accessKeySecret: h.emulator.demo.admin.accessKeySecret,
    bucket: 'demo-bucket',
    region: 'oss-cn-hangzhou',
    endpoint: h.emulator.ossEndpoint,
    sldEnable: true,
  })

const refusal = (promise: Promise<unknown>) =>
  promise.then(
    () => 'succeeded',
    (e: { code?: string; status?: number }) => `${e.status} ${e.code}`,
  )

beforeAll(async () => {
  h = await startVendHarness()
  alice = await h.signer.sign({}, { sub: 'alice' })
  bob = await h.signer.sign({}, { sub: 'bob' })
})
afterAll(() => h.close())

describe('oss-upload vend response', () => {
  it("adds Bucket, Region, Endpoint and the caller's Prefix to the credentials", async () => {
    const body = await vend(alice)
    expect(body).toMatchObject({
      Code: 'Success',
      Bucket: 'demo-bucket',
      Region: 'oss-cn-hangzhou',
      Endpoint: h.emulator.ossEndpoint,
      Prefix: 'users/jwt.web.alice/',
    })
    expect(body.AccessKeySecret).toBeTruthy()
    expect((await vend(bob)).Prefix).toBe('users/jwt.web.bob/')
  })

  it('sends STS a session policy generated from the presets, with the prefix condition on ListObjects', async () => {
    const body = await vend(alice)
    const session = h.emulator.world.findSession(body.AccessKeyId!)!
    const policy = JSON.parse(session.sessionPolicyText!)
    expect(policy.Statement[0]).toEqual({
      Effect: 'Allow',
      Action: ['oss:PutObject', 'oss:ListParts', 'oss:AbortMultipartUpload', 'oss:GetObject'],
      Resource: ['acs:oss:*:*:demo-bucket/users/jwt.web.alice/*'],
    })
    expect(policy.Statement[1]).toEqual({
      Effect: 'Allow',
      Action: ['oss:ListObjects'],
      Resource: ['acs:oss:*:*:demo-bucket'],
      Condition: { StringLike: { 'oss:Prefix': ['users/jwt.web.alice/*'] } },
    })
    expect(policy.Statement[2].Effect).toBe('Deny')
  })
})

describe.each([
  ['V1', false],
  ['V4', true],
])('ali-oss with %s signatures, for real', (_, v4) => {
  it('alice uploads under her prefix, single and multipart, and reads it back', async () => {
    const client = clientFrom(await vend(alice), v4)
    await client.put(`users/jwt.web.alice/one-${v4}.txt`, Buffer.from('one'))
    const big = Buffer.alloc(320 * 1024, v4 ? 4 : 1)
    const done = await client.multipartUpload(`users/jwt.web.alice/big-${v4}.bin`, big, {
      partSize: 100 * 1024,
      parallel: 2,
    })
    expect(done.res.status).toBe(200)
    expect((await client.get(`users/jwt.web.alice/big-${v4}.bin`)).content.equals(big)).toBe(true)
    expect(h.emulator.oss.calls.get('UploadPart')).toBeGreaterThanOrEqual(4)
  })

  it("alice cannot write to bob's prefix, the bucket root, or through .. and percent-encoded keys", async () => {
    const client = clientFrom(await vend(alice), v4)
    const attempts = [
      'users/jwt.web.bob/evil.txt',
      'evil.txt',
      'users/evil.txt',
      'users/jwt.web.alice/../jwt.web.bob/evil.txt',
      'users/jwt.web.alice/..',
      'users/jwt.web.alice/%2e%2e/jwt.web.bob/evil.txt',
      'users/jwt.web.alice%2F..%2Fjwt.web.bob/evil.txt',
      'users/jwt.web.alice/x/..\\..\\jwt.web.bob\\evil.txt',
      'users/jwt.web.alice2/evil.txt',
    ]
    // Each is refused by RAM (the generated Deny, or no Allow), not by an accident of signing:
    // the emulator reads the path exactly as sent, so the signature still matches.
    // (ali-oss's HTTP client resolves a literal `..` segment before sending while signing the key
    // as given, so those two fail its own signature; the wire-level test below covers them.)
    for (const key of attempts) {
      const expected = /\/\.\.(\/|$)/.test(key)
        ? /: 403 (SignatureDoesNotMatch|AccessDenied)$/
        : /: 403 AccessDenied$/
      expect(`${key}: ${await refusal(client.put(key, Buffer.from('x')))}`).toMatch(expected)
    }
    const multipart = await refusal(
      client.multipartUpload('users/jwt.web.bob/big.bin', Buffer.alloc(150 * 1024), {
        partSize: 100 * 1024,
      }),
    )
    expect(multipart).toBe('403 AccessDenied')
  })

  it('on the wire, correctly signed `..` and encoded-separator paths are refused by the generated Deny', async () => {
    const body = await vend(alice)
    const port = Number(new URL(h.emulator.ossEndpoint).port)
    // Path as sent → the key OSS stores literally (it does not normalise object names).
    const cases: Array<[string, string]> = [
      [
        '/demo-bucket/users/jwt.web.alice/../jwt.web.bob/evil.txt',
        'users/jwt.web.alice/../jwt.web.bob/evil.txt',
      ],
      [
        '/demo-bucket/users/jwt.web.alice/%2E%2E/jwt.web.bob/evil.txt',
        'users/jwt.web.alice/../jwt.web.bob/evil.txt',
      ],
      [
        '/demo-bucket/users/jwt.web.alice%2F..%2Fjwt.web.bob%2Fevil.txt',
        'users/jwt.web.alice/../jwt.web.bob/evil.txt',
      ],
      ['/demo-bucket/users/jwt.web.alice/ok-raw.txt', 'users/jwt.web.alice/ok-raw.txt'],
    ]
    const outcomes: string[] = []
    for (const [path, key] of cases) {
      const headers: Record<string, string> = {
        'content-type': 'text/plain',
        'x-oss-date': new Date().toUTCString(),
        'x-oss-security-token': body.SecurityToken!,
      }
      headers.authorization = signUtils.authorization(
        body.AccessKeyId!,
        body.AccessKeySecret!,
        signUtils.buildCanonicalString('PUT', `/demo-bucket/${key}`, { headers }),
      )
      const status = await new Promise<string>((resolve, reject) => {
        const req = httpRequest(
          { host: '127.0.0.1', port, method: 'PUT', path, headers },
          (res) => {
            let text = ''
            res.on('data', (c: Buffer) => (text += c))
            res.on('end', () =>
              resolve(`${res.statusCode} ${/<Code>([^<]*)<\/Code>/.exec(text)?.[1] ?? ''}`.trim()),
            )
          },
        )
        req.on('error', reject)
        req.end('x')
      })
      outcomes.push(`${path} → ${status}`)
    }
    expect(outcomes).toEqual([
      `${cases[0]![0]} → 403 AccessDenied`,
      `${cases[1]![0]} → 403 AccessDenied`,
      `${cases[2]![0]} → 403 AccessDenied`,
      `${cases[3]![0]} → 200`,
    ])
  })

  it("an admin listing shows no object of alice's outside her prefix", async () => {
    const all = (await admin().list({ 'max-keys': 1000 })).objects?.map((o) => o.name) ?? []
    const writer = (key: string) =>
      h.emulator.world.findSession(h.emulator.oss.store.object('demo-bucket', key)!.writtenBy)
        ?.sessionName
    const byAlice = all.filter((key) => writer(key) === 'jwt.web.alice')
    expect(byAlice.length).toBeGreaterThanOrEqual(2)
    expect(
      byAlice.filter((key) => !key.startsWith('users/jwt.web.alice/') || /\.\.|%|\\/.test(key)),
    ).toEqual([])
    expect(all.filter((key) => key.includes('evil'))).toEqual([])
  })

  it("alice lists her own prefix and is refused for bob's and for the root", async () => {
    const client = clientFrom(await vend(alice), v4)
    const mine = await client.list({ prefix: 'users/jwt.web.alice/', 'max-keys': 100 })
    expect(mine.objects?.map((o) => o.name)).toContain(`users/jwt.web.alice/one-${v4}.txt`)
    expect(await refusal(client.list({ prefix: 'users/jwt.web.bob/' }))).toBe('403 AccessDenied')
    expect(await refusal(client.list({}))).toBe('403 AccessDenied')
    expect(await refusal(client.list({ prefix: 'users/' }))).toBe('403 AccessDenied')
  })
})
