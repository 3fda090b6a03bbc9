import { existsSync, mkdtempSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { POST_OBJECT_CHUNK, PRESIGN_CHUNK } from '../../functions/node/tools/bundle-fc.ts'
import { buildFcPackage, FC_HANDLER_FILE } from '../../functions/node/tools/fc-package.ts'
import type { TestEmulator } from '../helpers/emulator.ts'
import { FC_TEST_KEY, startFcWorld } from '../helpers/fc-world.ts'
import { CHILD_PROCESS_TIMEOUT_MS } from '../helpers/timeouts.ts'

type Keys = { accessKeyId: string; accessKeySecret: string; securityToken: string }
type Handler = (
  event: Buffer,
  context: { requestId: string; credentials: Keys },
) => Promise<{ statusCode: number; body: string }>

/** An HTTP-trigger event as FC's built-in runtime hands it to index.handler. */
const vendEvent = (body: unknown, profile = 'uploads') =>
  Buffer.from(
    JSON.stringify({
      version: 'v1',
      rawPath: `/v1/credentials/${profile}`,
      body: JSON.stringify(body),
      isBase64Encoded: false,
      headers: { Authorization: `Bearer ${FC_TEST_KEY}`, 'Content-Type': 'application/json' },
      queryParameters: {},
      requestContext: {
        http: { method: 'POST', path: `/v1/credentials/${profile}`, sourceIp: '11.11.11.11' },
        requestId: '1-event-id',
      },
    }),
  )

let emulator: TestEmulator
let keys: Keys
let handler: Handler
let dir: string
const saved = { ...process.env }

beforeAll(async () => {
  const world = await startFcWorld()
  emulator = world.emulator
  keys = await world.functionKeys()
  dir = mkdtempSync(join(tmpdir(), 'credvend-fc-presign-'))
  await buildFcPackage(dir)
  const config = JSON.parse(world.env.CREDVEND_CONFIG_JSON) as { profiles: object }
  const upload = {
    kind: 'oss-upload',
    allow: [{ apiKey: 'acme' }],
    roleArn: world.targetArn,
    bucket: 'demo-bucket',
    region: 'oss-cn-hangzhou',
    endpoint: emulator.ossEndpoint,
  }
  config.profiles = {
    ...config.profiles,
    uploads: { ...upload, prefix: 'users/${caller.id}/', actions: ['read'] },
    forms: {
      ...upload,
      prefix: 'users/${caller.id}/forms/',
      actions: ['put'],
      form: { maxSizeBytes: 1024, contentTypes: ['text/plain'] },
    },
  }
  for (const name of Object.keys(process.env))
    if (name.startsWith('ALIBABA_CLOUD_')) delete process.env[name]
  Object.assign(process.env, world.env, {
    HOME: dir,
    CREDVEND_CONFIG_JSON: JSON.stringify(config),
  })
  handler = createRequire(join(dir, 'package.json'))(join(dir, FC_HANDLER_FILE)).handler as Handler
}, CHILD_PROCESS_TIMEOUT_MS)
afterAll(async () => {
  for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name]
  Object.assign(process.env, saved)
  await emulator?.close()
})

describe('FC code package: presigned URLs', () => {
  it(`signs from ${PRESIGN_CHUNK}, loaded next to index.js, and OSS accepts the URL`, async () => {
    expect(existsSync(join(dir, PRESIGN_CHUNK))).toBe(true)
    const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true)
    let answer: { statusCode: number; body: string }
    try {
      answer = await handler(
        vendEvent({ presign: { method: 'GET', key: 'users/key.acme/a.txt' } }),
        {
          requestId: '1-presign',
          credentials: keys,
        },
      )
    } finally {
      write.mockRestore()
    }
    const body = JSON.parse(answer.body) as { PresignedUrl?: { Url: string }; Prefix?: string }
    expect([answer.statusCode, body.Prefix], answer.body).toEqual([200, 'users/key.acme/'])
    // The signature and token pass; the object is simply not there yet.
    const res = await fetch(body.PresignedUrl!.Url)
    expect([res.status, /<Code>([^<]*)</.exec(await res.text())?.[1]]).toEqual([404, 'NoSuchKey'])
  })

  it(`signs a PostObject form from ${POST_OBJECT_CHUNK}, and OSS accepts its signature`, async () => {
    expect(existsSync(join(dir, POST_OBJECT_CHUNK))).toBe(true)
    const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true)
    let answer: { statusCode: number; body: string }
    try {
      answer = await handler(vendEvent({ form: true }, 'forms'), {
        requestId: '1-form',
        credentials: keys,
      })
    } finally {
      write.mockRestore()
    }
    const body = JSON.parse(answer.body) as {
      PostObject?: { Url: string; Fields: Record<string, string>; ContentTypeField?: string }
    }
    expect(answer.statusCode, answer.body).toBe(200)
    expect(answer.body).not.toContain('AccessKeySecret')
    const { Url, Fields, ContentTypeField } = body.PostObject!
    const form = new FormData()
    for (const [name, value] of Object.entries(Fields)) form.append(name, value)
    form.append('key', 'users/key.acme/forms/a.txt')
    form.append(ContentTypeField ?? 'Content-Type', 'text/plain')
    form.append('file', new Blob(['hello'], { type: 'text/plain' }), 'a.txt')
    const res = await fetch(Url, { method: 'POST', body: form })
    // The form's signature, policy and token pass; this world's role may not write the bucket, so
    // RAM is what refuses — a bad signature would be SignatureDoesNotMatch instead.
    const text = await res.text()
    expect([res.status, /<Code>([^<]*)</.exec(text)?.[1]], text).toEqual([403, 'AccessDenied'])
    expect(text).toContain('RAM policy')
  })
})
