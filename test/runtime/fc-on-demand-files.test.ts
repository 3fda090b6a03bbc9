import { existsSync, mkdtempSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { DEMO_RAM_SECRET } from '../../functions/node/cli/local/local-emulator.ts'
import {
  ACCESS_KEYS_CHUNK,
  ALIBABA_LOGIN_CHUNK,
  POST_OBJECT_CHUNK,
  PRESIGN_CHUNK,
  TRUST_RUN_CHUNK,
} from '../../functions/node/tools/bundle-fc.ts'
import { alibabaLoginBody } from '../../lib/session/login-body.ts'
import { renderTrustPolicy } from '../../lib/partners/trust-policy.ts'
import { buildFcPackage, FC_HANDLER_FILE } from '../../functions/node/tools/fc-package.ts'
import type { TestEmulator } from '../helpers/emulator.ts'
import { fcHttpEvent, fcTimerEvent } from '../helpers/fc-events.ts'
import { FC_TEST_KEY, startFcWorld } from '../helpers/fc-world.ts'
import { CHILD_PROCESS_TIMEOUT_MS } from '../helpers/timeouts.ts'

type Keys = { accessKeyId: string; accessKeySecret: string; securityToken: string }
type Handler = (
  event: Buffer,
  context: { requestId: string; credentials: Keys },
) => Promise<{ statusCode: number; body: string } & { partnerTrust?: unknown }>

/** A vend of `profile` with the partner's key. */
const vendEvent = (body: unknown, profile = 'uploads') =>
  fcHttpEvent(
    'POST',
    `/v1/credentials/${profile}`,
    { Authorization: `Bearer ${FC_TEST_KEY}` },
    body,
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
  const config = JSON.parse(world.env.CREDVEND_CONFIG_JSON) as {
    profiles: object
    callers: object
    partnerTrust?: object
    kms?: object
  }
  const partnerRole = emulator.world.createRole(emulator.demo.partnerAccountId, 'fc-partner', {
    trustPolicy: renderTrustPolicy({ trusted: world.fnRoleArn, externalId: 'x'.repeat(32) }),
  })
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
    partner: {
      kind: 'sts',
      allow: [{ apiKey: 'acme' }],
      roleArn: partnerRole.arn,
      externalId: { env: 'PARTNER_EXTERNAL_ID' },
      durationSeconds: 900,
    },
  }
  config.partnerTrust = { intervalSeconds: 300 }
  config.kms = { endpoint: emulator.kmsEndpoint }
  // Signed logins: a session of the function's own role may log in and use `logged-in`.
  config.callers = {
    ...config.callers,
    alibaba: {
      enabled: true,
      accounts: [emulator.demo.accountId],
      sessionTokenKey: { env: 'SESSION_TOKEN_KEY' },
    },
  }
  config.profiles = {
    ...config.profiles,
    'logged-in': {
      kind: 'sts',
      allow: [{ alibaba: { account: emulator.demo.accountId, role: 'fc-credvend' } }],
      roleArn: world.targetArn,
      durationSeconds: 900,
    },
    'erp-keys': {
      kind: 'access-key',
      allow: [{ apiKey: 'acme' }],
      secretName: DEMO_RAM_SECRET,
    },
  }
  for (const name of Object.keys(process.env))
    if (name.startsWith('ALIBABA_CLOUD_')) delete process.env[name]
  Object.assign(process.env, world.env, {
    HOME: dir,
    CREDVEND_CONFIG_JSON: JSON.stringify(config),
    PARTNER_EXTERNAL_ID: 'x'.repeat(32),
    SESSION_TOKEN_KEY: 's'.repeat(40),
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

describe('FC code package: the partner trust watch', () => {
  it(`runs a timer's checks from ${TRUST_RUN_CHUNK}, loaded next to index.js`, async () => {
    expect(existsSync(join(dir, TRUST_RUN_CHUNK))).toBe(true)
    const answer = await handler(fcTimerEvent(), {
      requestId: 'req-timer',
      credentials: keys,
    })
    expect(answer).toEqual({
      partnerTrust: { checked: 1, ok: 1, failed: 0, unreachable: 0, inconclusive: 0 },
    })
  })
})

describe('FC code package: access keys and signed logins', () => {
  it(`serves a KMS-rotated AccessKey from ${ACCESS_KEYS_CHUNK}`, async () => {
    expect(existsSync(join(dir, ACCESS_KEYS_CHUNK))).toBe(true)
    const answer = await handler(
      fcHttpEvent('GET', '/v1/credentials/erp-keys', { Authorization: `Bearer ${FC_TEST_KEY}` }),
      { requestId: '1-keys', credentials: keys },
    )
    expect(answer.statusCode, answer.body).toBe(200)
    expect(JSON.parse(answer.body).AccessKeyId).toBe(emulator.erpSecret.current.accessKeyId)
  })

  it(`logs a role session in from ${ALIBABA_LOGIN_CHUNK}, and refuses a bad signature with its own error`, async () => {
    expect(existsSync(join(dir, ALIBABA_LOGIN_CHUNK))).toBe(true)
    const login = async (secret: string, nonce: string) =>
      handler(
        fcHttpEvent(
          'POST',
          '/v1/session/alibaba',
          {},
          await alibabaLoginBody(
            { ...keys, accessKeySecret: secret, source: 'test' },
            { now: new Date(), nonce },
          ),
        ),
        { requestId: '1-login', credentials: keys },
      )
    const refused = await login('not-the-secret', 'fc-login-1')
    expect([refused.statusCode, JSON.parse(refused.body).Code]).toEqual([401, 'ERR_AUTH_ALIBABA'])
    const ok = await login(keys.accessKeySecret, 'fc-login-2')
    expect(ok.statusCode, ok.body).toBe(200)
    const token = JSON.parse(ok.body).SessionToken as string
    const vend = await handler(
      fcHttpEvent('GET', '/v1/credentials/logged-in', { Authorization: `Bearer ${token}` }),
      { requestId: '1-keys-2', credentials: keys },
    )
    expect(vend.statusCode, vend.body).toBe(200)
  })
})
