import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { FORM_MAX_BYTES, startVendHarness, type VendHarness } from '../helpers/vend-harness.ts'

let h: VendHarness
let alice: string

interface FormVend {
  Code: string
  Prefix: string
  PostObject: {
    Url: string
    Fields: Record<string, string>
    KeyPrefix: string
    MaxSizeBytes: number
    ContentTypes?: string[]
    ContentTypeField?: string
  }
  [field: string]: unknown
}

const vendForm = async (): Promise<FormVend> => {
  const res = await h.request('/v1/credentials/photo-form', {
    method: 'POST',
    token: alice,
    body: { form: true },
  })
  expect(res.status, res.text).toBe(200)
  return res.json() as FormVend
}

/** A plain multipart/form-data POST, as a browser `<form>` or `fetch(FormData)` sends it. */
const post = async (
  form: FormVend['PostObject'],
  init: {
    key: string
    body: string | Uint8Array<ArrayBuffer>
    type?: string
    fields?: Record<string, string>
  },
) => {
  const data = new FormData()
  for (const [k, v] of Object.entries({ ...form.Fields, ...init.fields })) data.append(k, v)
  data.append('key', init.key)
  // The vended policy limits the type through x-oss-content-type, the field OSS ranks first.
  data.append('x-oss-content-type', init.type ?? 'text/plain')
  data.append('file', new Blob([init.body]), 'upload.txt')
  const res = await fetch(form.Url, { method: 'POST', body: data })
  const text = await res.text()
  return `${res.status}${/<Code>([^<]*)<\/Code>/.exec(text)?.[1] ? ` ${/<Code>([^<]*)<\/Code>/.exec(text)![1]}` : ''}`
}

beforeAll(async () => {
  h = await startVendHarness()
  alice = await h.signer.sign({}, { sub: 'alice' })
})
afterAll(() => h.close())

describe('form: true — a signed PostObject V4 form', () => {
  it('carries every form field and no AccessKeySecret anywhere in the response', async () => {
    const res = await h.request('/v1/credentials/photo-form', {
      method: 'POST',
      token: alice,
      body: { form: true },
    })
    const body = res.json() as FormVend
    expect(body.PostObject.Fields).toMatchObject({
      'x-oss-signature-version': 'OSS4-HMAC-SHA256',
      success_action_status: '200',
    })
    expect(Object.keys(body.PostObject.Fields).sort()).toEqual([
      'policy',
      'success_action_status',
      'x-oss-credential',
      'x-oss-date',
      'x-oss-forbid-overwrite',
      'x-oss-object-acl',
      'x-oss-security-token',
      'x-oss-signature',
      'x-oss-signature-version',
    ])
    expect(body).not.toHaveProperty('AccessKeySecret')
    const session = h.emulator.world.findSession(
      body.PostObject.Fields['x-oss-credential']!.split('/')[0]!,
    )!
    expect(res.text).not.toContain(session.accessKeySecret)
    // The audit line records the vend, never the secret or the token the form carries.
    const logged = JSON.stringify(h.logs)
    expect(logged).toContain('photo-form')
    expect(logged).not.toContain(session.accessKeySecret)
    expect(logged).not.toContain(session.securityToken)
    const policy = JSON.parse(
      Buffer.from(body.PostObject.Fields.policy!, 'base64').toString('utf8'),
    )
    expect(policy.conditions).toContainEqual(['content-length-range', 0, FORM_MAX_BYTES])
    expect(policy.conditions).toContainEqual(['starts-with', '$key', 'users/jwt.web.alice/forms/'])
    expect(policy.conditions).toContainEqual({ 'x-oss-security-token': session.securityToken })
    expect(body.PostObject).toMatchObject({
      ContentTypes: ['text/plain', 'image/png'],
      ContentTypeField: 'x-oss-content-type',
    })
    expect(policy.conditions).toContainEqual([
      'in',
      '$x-oss-content-type',
      ['text/plain', 'image/png'],
    ])
  })

  it('a form-only profile refuses to hand out plain credentials', async () => {
    const res = await h.request('/v1/credentials/photo-form', { method: 'POST', token: alice })
    expect([res.status, res.json().Code]).toEqual([403, 'ERR_NARROWING_DENIED'])
    const other = await h.request('/v1/credentials/photos', {
      method: 'POST',
      token: alice,
      body: { form: true },
    })
    expect([other.status, other.json().Code]).toEqual([400, 'ERR_BAD_REQUEST'])
  })

  it("uploads with a plain multipart/form-data POST under the caller's prefix", async () => {
    const { PostObject } = await vendForm()
    expect(
      await post(PostObject, { key: `${PostObject.KeyPrefix}hello.txt`, body: 'hello form' }),
    ).toBe('200')
    const stored = h.emulator.oss.store.object('demo-bucket', 'users/jwt.web.alice/forms/hello.txt')
    expect(new TextDecoder().decode(stored?.body)).toBe('hello form')
    expect(stored?.contentType).toBe('text/plain')
  })

  it('is refused over the size limit, for another prefix, for an unlisted content type, or with a tampered policy', async () => {
    const { PostObject } = await vendForm()
    const key = `${PostObject.KeyPrefix}limits.txt`
    expect(await post(PostObject, { key, body: new Uint8Array(FORM_MAX_BYTES + 1) })).toBe(
      '400 EntityTooLarge',
    )
    expect(await post(PostObject, { key, body: new Uint8Array(FORM_MAX_BYTES) })).toBe('200')
    expect(await post(PostObject, { key: 'users/jwt.web.bob/forms/evil.txt', body: 'x' })).toBe(
      '403 AccessDenied',
    )
    expect(await post(PostObject, { key: 'evil.txt', body: 'x' })).toBe('403 AccessDenied')
    expect(await post(PostObject, { key, body: 'x', type: 'text/html' })).toBe('403 AccessDenied')
    const policy = JSON.parse(Buffer.from(PostObject.Fields.policy!, 'base64').toString('utf8'))
    policy.conditions = policy.conditions.map((c: unknown) =>
      Array.isArray(c) && c[0] === 'content-length-range'
        ? ['content-length-range', 0, 10 * FORM_MAX_BYTES]
        : c,
    )
    const tampered = Buffer.from(JSON.stringify(policy)).toString('base64')
    expect(
      await post(PostObject, {
        key,
        body: new Uint8Array(2 * FORM_MAX_BYTES),
        fields: { policy: tampered },
      }),
    ).toBe('403 SignatureDoesNotMatch')
    expect(
      await post(PostObject, { key, body: 'x', fields: { 'x-oss-signature': '0'.repeat(64) } }),
    ).toBe('403 SignatureDoesNotMatch')
    expect(h.emulator.oss.store.keys('demo-bucket').filter((k) => k.includes('evil'))).toEqual([])
  })

  it('is refused once the credentials behind it have expired', async () => {
    const { PostObject } = await vendForm()
    h.emulator.clock.shift(16 * 60 * 1000)
    try {
      expect(await post(PostObject, { key: `${PostObject.KeyPrefix}late.txt`, body: 'x' })).toBe(
        '403 AccessDenied',
      )
    } finally {
      h.emulator.clock.reset()
    }
  })
})
