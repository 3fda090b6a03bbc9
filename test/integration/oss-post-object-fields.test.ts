import { createRequire } from 'node:module'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { configSchema, type ConfigInput } from '../../lib/config/schema.ts'
import { startVendHarness, type VendHarness } from '../helpers/vend-harness.ts'

// What a browser may add to a vended PostObject form: the policy pins the object's ACL and
// x-oss-forbid-overwrite (and any download headers the profile names), limits the type through
// x-oss-content-type, and the OSS emulator enforces them as OSS documents (see
// lib/emulator/README.md, the faithfulness table).

const require = createRequire(import.meta.url)
const OSS = require('ali-oss') as new (options: Record<string, unknown>) => {
  put(
    name: string,
    body: Buffer,
    options?: { headers?: Record<string, string> },
  ): Promise<{ res: { status: number } }>
  initMultipartUpload(name: string): Promise<{ uploadId: string }>
  uploadPart(
    name: string,
    uploadId: string,
    partNo: number,
    body: Buffer,
    start: number,
    end: number,
  ): Promise<{ etag: string }>
  completeMultipartUpload(
    name: string,
    uploadId: string,
    parts: Array<{ number: number; etag: string }>,
    options: { headers: Record<string, string> },
  ): Promise<{ res: { status: number } }>
}

/** An ali-oss client built from a vend response of the `photos` profile. */
const clientOf = (body: Record<string, string>) =>
  new OSS({
    accessKeyId: body.AccessKeyId,
    accessKeySecret: body.AccessKeySecret,
    stsToken: body.SecurityToken,
    bucket: body.Bucket,
    region: body.Region,
    endpoint: body.Endpoint,
    sldEnable: true,
    retryMax: 0,
    refreshSTSToken: async () => ({
      accessKeyId: body.AccessKeyId,
      accessKeySecret: body.AccessKeySecret,
      stsToken: body.SecurityToken,
    }),
    refreshSTSTokenInterval: 3_600_000,
  })

interface Form {
  Url: string
  Fields: Record<string, string>
  KeyPrefix: string
  ContentTypes?: string[]
  ContentTypeField?: string
}

let h: VendHarness
let alice: string

const vendForm = async (profile = 'photo-form'): Promise<Form> => {
  const res = await h.request(`/v1/credentials/${profile}`, {
    method: 'POST',
    token: alice,
    body: { form: true },
  })
  expect(res.status, res.text).toBe(200)
  return (res.json() as { PostObject: Form }).PostObject
}

/**
 * Posts the vended fields and an allowed `x-oss-content-type`, with `change` applied on top
 * (`null` leaves a field out), as a page that builds its own FormData would. `fileType` is the
 * file part's own Content-Type, which a browser sets from the file it was given.
 */
const postFull = async (
  form: Form,
  key: string,
  body: string,
  change: Record<string, string | null> = {},
  fileType = '',
) => {
  const data = new FormData()
  for (const [k, v] of Object.entries({
    ...form.Fields,
    'x-oss-content-type': 'text/plain',
    ...change,
  }))
    if (v !== null) data.append(k, v)
  data.append('key', key)
  data.append('file', new Blob([body], { type: fileType }), 'upload.txt')
  const res = await fetch(form.Url, { method: 'POST', body: data })
  const text = await res.text()
  const code = /<Code>([^<]*)<\/Code>/.exec(text)?.[1]
  return {
    outcome: `${res.status}${code ? ` ${code}` : ''}`,
    message: /<Message>([^<]*)<\/Message>/.exec(text)?.[1] ?? '',
  }
}

const post = async (...args: Parameters<typeof postFull>) => (await postFull(...args)).outcome

const stored = (key: string) => h.emulator.oss.store.object('demo-bucket', key)

const policyOf = (form: Form) =>
  JSON.parse(Buffer.from(form.Fields.policy!, 'base64').toString('utf8')) as {
    conditions: unknown[]
  }

const withFormProfiles = (c: ConfigInput): ConfigInput => {
  const base = c.profiles['photo-form'] as Extract<
    ConfigInput['profiles'][string],
    { kind: 'oss-upload' }
  >
  return {
    ...c,
    profiles: {
      ...c.profiles,
      'inherit-form': {
        ...base,
        prefix: 'users/${caller.id}/inherit/',
        form: { ...base.form!, objectAcl: 'default' },
      },
      'any-type-form': {
        ...base,
        prefix: 'users/${caller.id}/any-type/',
        form: { maxSizeBytes: base.form!.maxSizeBytes },
      },
      'attachment-form': {
        ...base,
        prefix: 'users/${caller.id}/attachments/',
        form: {
          ...base.form!,
          headers: { 'Content-Disposition': 'attachment', 'Cache-Control': 'private, max-age=0' },
        },
      },
    },
  }
}

beforeAll(async () => {
  h = await startVendHarness({ config: withFormProfiles })
  alice = await h.signer.sign({}, { sub: 'alice' })
})
afterAll(() => h?.close())

describe('a vended form pins the ACL and overwriting', () => {
  it('uploads exactly as vended, as a private object, with both pins in the signed policy', async () => {
    const form = await vendForm()
    expect(form.Fields).toMatchObject({
      'x-oss-object-acl': 'private',
      'x-oss-forbid-overwrite': 'true',
    })
    const { conditions } = policyOf(form)
    expect(conditions).toContainEqual(['eq', '$x-oss-object-acl', 'private'])
    expect(conditions).toContainEqual(['eq', '$x-oss-forbid-overwrite', 'true'])
    const key = `${form.KeyPrefix}as-vended.txt`
    expect(await post(form, key, 'as vended')).toBe('200')
    expect(stored(key)?.acl).toBe('private')
  })

  it('refuses a form whose ACL was changed or left out, and stores nothing', async () => {
    const form = await vendForm()
    const key = `${form.KeyPrefix}public.txt`
    for (const acl of ['public-read', 'public-read-write', 'default'])
      expect(await post(form, key, 'x', { 'x-oss-object-acl': acl }), acl).toBe('403 AccessDenied')
    // A named field must be sent: leaving it out does not fall back to the bucket's ACL.
    expect(await post(form, key, 'x', { 'x-oss-object-acl': null })).toBe('403 AccessDenied')
    expect(stored(key)).toBeUndefined()
  })

  it('never replaces an object: the second upload to a key is FileAlreadyExists', async () => {
    const form = await vendForm()
    const key = `${form.KeyPrefix}once.txt`
    expect(await post(form, key, 'first')).toBe('200')
    expect(await post(form, key, 'second')).toBe('409 FileAlreadyExists')
    // A fresh form is no different: the pin is in every policy, not in one form's state.
    expect(await post(await vendForm(), key, 'third')).toBe('409 FileAlreadyExists')
    expect(await post(form, key, 'x', { 'x-oss-forbid-overwrite': 'false' })).toBe(
      '403 AccessDenied',
    )
    expect(await post(form, key, 'x', { 'x-oss-forbid-overwrite': null })).toBe('403 AccessDenied')
    expect(new TextDecoder().decode(stored(key)?.body)).toBe('first')
  })

  it('leaves a field no condition names to the browser: OSS documents no rule refusing it', async () => {
    // S3 refuses a form field its policy does not name; OSS's PostObject page says no such thing,
    // so neither does the emulator, and a profile pins what must not vary (`form.headers`).
    const form = await vendForm()
    const key = `${form.KeyPrefix}extra.txt`
    expect(
      await post(form, key, 'x', {
        'x-oss-meta-x': 'chosen by the browser',
        'Content-Disposition': 'inline',
      }),
    ).toBe('200')
    expect(stored(key)?.meta).toEqual({ 'x-oss-meta-x': 'chosen by the browser' })
    expect(stored(key)?.headers).toEqual({ 'Content-Disposition': 'inline' })
    expect(stored(key)?.acl).toBe('private')
  })
})

describe('a vended form limits the type through x-oss-content-type', () => {
  it('names the field, and its policy limits that field and not Content-Type', async () => {
    const form = await vendForm()
    expect(form.ContentTypes).toEqual(['text/plain', 'image/png'])
    expect(form.ContentTypeField).toBe('x-oss-content-type')
    const { conditions } = policyOf(form)
    expect(conditions).toContainEqual(['in', '$x-oss-content-type', ['text/plain', 'image/png']])
    expect(
      conditions.filter((c) => Array.isArray(c) && String(c[1]).toLowerCase() === '$content-type'),
    ).toEqual([])
    // x-oss-content-type carries a value the browser chooses, so it is not among the pins.
    expect(form.Fields).not.toHaveProperty('x-oss-content-type')
  })

  it('stores the allowed x-oss-content-type, whatever the file part and the Content-Type field say', async () => {
    const form = await vendForm()
    const key = `${form.KeyPrefix}typed.png`
    expect(
      await post(
        form,
        key,
        'png bytes',
        { 'x-oss-content-type': 'image/png', 'Content-Type': 'text/html' },
        'text/html',
      ),
    ).toBe('200')
    expect(stored(key)?.contentType).toBe('image/png')
  })

  it('refuses a type outside the list, a missing x-oss-content-type, and the Content-Type field bypass', async () => {
    const form = await vendForm()
    const key = `${form.KeyPrefix}page.html`
    const refused = await postFull(form, key, '<script>', { 'x-oss-content-type': 'text/html' })
    expect(refused.outcome).toBe('403 AccessDenied')
    expect(refused.message).toContain('Policy Condition failed')
    expect(refused.message).toContain('$x-oss-content-type')
    // A named field must be sent: an allowed Content-Type field does not stand in for it.
    expect(
      await post(form, key, '<script>', {
        'x-oss-content-type': null,
        'Content-Type': 'text/plain',
      }),
    ).toBe('403 AccessDenied')
    expect(await post(form, key, '<script>', { 'x-oss-content-type': null }, 'text/plain')).toBe(
      '403 AccessDenied',
    )
    // What a policy on Content-Type alone let through: OSS would store text/html.
    expect(
      await post(form, key, '<script>', {
        'Content-Type': 'text/plain',
        'x-oss-content-type': 'text/html',
      }),
    ).toBe('403 AccessDenied')
    expect(stored(key)).toBeUndefined()
  })
})

describe('the emulator ranks the stored type as OSS documents', () => {
  // https://www.alibabacloud.com/help/en/oss/developer-reference/postobject (form-field table):
  // x-oss-content-type, then the file part's own Content-Type, then the Content-Type field.
  it('x-oss-content-type first, then the file part, then the Content-Type field', async () => {
    const form = await vendForm('any-type-form')
    expect(form).not.toHaveProperty('ContentTypes')
    expect(form).not.toHaveProperty('ContentTypeField')
    const first = `${form.KeyPrefix}first.csv`
    expect(
      await post(
        form,
        first,
        'a,b',
        { 'x-oss-content-type': 'text/csv', 'Content-Type': 'text/plain' },
        'image/png',
      ),
    ).toBe('200')
    expect(stored(first)?.contentType).toBe('text/csv')
    const second = `${form.KeyPrefix}second.png`
    expect(
      await post(
        form,
        second,
        'png',
        { 'x-oss-content-type': null, 'Content-Type': 'text/plain' },
        'image/png',
      ),
    ).toBe('200')
    expect(stored(second)?.contentType).toBe('image/png')
  })
})

describe('form options', () => {
  it('objectAcl: default pins the bucket-inherited ACL, and still no public one', async () => {
    const form = await vendForm('inherit-form')
    expect(form.Fields['x-oss-object-acl']).toBe('default')
    expect(policyOf(form).conditions).toContainEqual(['eq', '$x-oss-object-acl', 'default'])
    const key = `${form.KeyPrefix}inherits.txt`
    expect(await post(form, key, 'x', { 'x-oss-object-acl': 'public-read' })).toBe(
      '403 AccessDenied',
    )
    expect(await post(form, key, 'x', { 'x-oss-object-acl': 'private' })).toBe('403 AccessDenied')
    expect(await post(form, key, 'inherits')).toBe('200')
    expect(stored(key)?.acl).toBe('default')
    expect(await post(form, key, 'again')).toBe('409 FileAlreadyExists')
  })

  it('headers pins exactly the download headers it names, which the object then carries', async () => {
    const form = await vendForm('attachment-form')
    expect(form.Fields).toMatchObject({
      'Content-Disposition': 'attachment',
      'Cache-Control': 'private, max-age=0',
    })
    const { conditions } = policyOf(form)
    expect(conditions).toContainEqual(['eq', '$Content-Disposition', 'attachment'])
    expect(conditions).toContainEqual(['eq', '$Cache-Control', 'private, max-age=0'])
    const key = `${form.KeyPrefix}pinned.txt`
    for (const change of [
      { 'Content-Disposition': 'inline' },
      { 'Content-Disposition': null },
      { 'Cache-Control': 'public, max-age=31536000' },
    ])
      expect(await post(form, key, 'x', change), JSON.stringify(change)).toBe('403 AccessDenied')
    expect(await post(form, key, 'pinned')).toBe('200')
    expect(stored(key)?.headers).toEqual({
      'Content-Disposition': 'attachment',
      'Cache-Control': 'private, max-age=0',
    })
    // A header the profile does not name stays the browser's (see above).
    const other = `${form.KeyPrefix}encoded.txt`
    expect(await post(form, other, 'x', { Expires: 'Thu, 01 Jan 2099 00:00:00 GMT' })).toBe('200')
    expect(stored(other)?.headers?.Expires).toBe('Thu, 01 Jan 2099 00:00:00 GMT')
  })

  it('a config may not pin a header outside the four OSS keeps, nor a public ACL', () => {
    const problems = (form: Record<string, unknown>) => {
      const parsed = configSchema.safeParse({
        region: 'cn-hangzhou',
        sts: { endpoint: 'https://sts.cn-hangzhou.aliyuncs.com' },
        callers: {
          jwt: [
            { id: 'web', issuer: 'https://login.example.com', audience: 'x', jwks: { keys: [] } },
          ],
        },
        profiles: {
          forms: {
            kind: 'oss-upload',
            allow: [{ jwt: 'web' }],
            roleArn: 'acs:ram::1234567890123456:role/uploads',
            bucket: 'example-avatars',
            region: 'oss-cn-hangzhou',
            prefix: 'users/${caller.id}/',
            actions: ['put'],
            form: { maxSizeBytes: 10, ...form },
          },
        },
      })
      return parsed.success
        ? ''
        : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('\n')
    }
    expect(problems({ objectAcl: 'default', headers: { Expires: '0' } })).toBe('')
    expect(problems({ objectAcl: 'public-read' })).toMatch(/form\.objectAcl/)
    expect(problems({ headers: { 'x-oss-meta-a': 'b' } })).toMatch(/form\.headers/)
    expect(problems({ headers: { Expires: 'a\nb' } })).toMatch(/printable ASCII/)
  })
})

describe('PutObject and CompleteMultipartUpload honour the same headers', () => {
  it('x-oss-forbid-overwrite: true refuses a second PUT; x-oss-object-acl is kept or refused', async () => {
    const res = await h.request('/v1/credentials/photos', { method: 'POST', token: alice })
    expect(res.status, res.text).toBe(200)
    const body = res.json() as Record<string, string>
    const client = clientOf(body)
    const key = `${body.Prefix}put-once.txt`
    const put = (content: string, headers: Record<string, string>) =>
      client.put(key, Buffer.from(content), { headers }).then(
        (r) => String(r.res.status),
        (e: { status?: number; code?: string }) => `${e.status} ${e.code}`,
      )
    const once = { 'x-oss-forbid-overwrite': 'true', 'x-oss-object-acl': 'private' }
    expect(await put('first', { ...once, 'x-oss-object-acl': 'publicly' })).toBe(
      '400 InvalidArgument',
    )
    expect(await put('first', once)).toBe('200')
    expect(stored(key)?.acl).toBe('private')
    expect(await put('second', once)).toBe('409 FileAlreadyExists')
    expect(await put('x', { 'x-oss-forbid-overwrite': 'maybe' })).toBe('400 InvalidArgument')
    expect(new TextDecoder().decode(stored(key)?.body)).toBe('first')
    // Without the header a PUT overwrites, as OSS does by default.
    expect(await put('replaced', {})).toBe('200')
    expect(new TextDecoder().decode(stored(key)?.body)).toBe('replaced')
  })

  it('x-oss-forbid-overwrite: true refuses a CompleteMultipartUpload onto a taken key', async () => {
    // https://www.alibabacloud.com/help/en/oss/user-guide/0042-00000214
    const res = await h.request('/v1/credentials/photos', { method: 'POST', token: alice })
    expect(res.status, res.text).toBe(200)
    const body = res.json() as Record<string, string>
    const client = clientOf(body)
    const key = `${body.Prefix}multipart-once.bin`
    // Part by part, so the header goes on CompleteMultipartUpload alone.
    const upload = async (fill: number, headers: Record<string, string>) => {
      const data = Buffer.alloc(150 * 1024, fill)
      const { uploadId } = await client.initMultipartUpload(key)
      const parts = [
        { number: 1, etag: (await client.uploadPart(key, uploadId, 1, data, 0, 102_400)).etag },
        {
          number: 2,
          etag: (await client.uploadPart(key, uploadId, 2, data, 102_400, data.length)).etag,
        },
      ]
      return client.completeMultipartUpload(key, uploadId, parts, { headers }).then(
        (r) => String(r.res.status),
        (e: { status?: number; code?: string }) => `${e.status} ${e.code}`,
      )
    }
    const once = { 'x-oss-forbid-overwrite': 'true' }
    expect(await upload(1, once)).toBe('200')
    expect(await upload(2, once)).toBe('409 FileAlreadyExists')
    expect(stored(key)?.body[0]).toBe(1)
    expect(await upload(3, { 'x-oss-forbid-overwrite': 'maybe' })).toBe('400 InvalidArgument')
    expect(await upload(4, {})).toBe('200')
    expect(stored(key)?.body[0]).toBe(4)
  })
})
