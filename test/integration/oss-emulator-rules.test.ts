import { createRequire } from 'node:module'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { browserUploadCors } from '../../lib/emulator/oss/oss-store.ts'
import { parsePolicy } from '../../lib/policy/schema.ts'
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.ts'

const OSS = createRequire(import.meta.url)('ali-oss') as new (options: Record<string, unknown>) => {
  put(name: string, body: Buffer): Promise<unknown>
  list(query: Record<string, unknown>): Promise<unknown>
}

let emu: TestEmulator

const client = (
  credentials: { accessKeyId: string; accessKeySecret: string; stsToken?: string },
  options: Record<string, unknown> = {},
) =>
  new OSS({
    ...credentials,
    bucket: 'demo-bucket',
    region: 'oss-cn-hangzhou',
    endpoint: emu.ossEndpoint,
    sldEnable: true,
    retryMax: 0,
    ...(credentials.stsToken
      ? { refreshSTSToken: async () => credentials, refreshSTSTokenInterval: 3_600_000 }
      : {}),
    ...options,
  })

const outcome = (promise: Promise<unknown>) =>
  promise.then(
    () => 'ok',
    (e: { status?: number; code?: string }) => `${e.status} ${e.code}`,
  )

const session = (sessionPolicy?: unknown, durationSeconds = 900) => {
  const parsed = sessionPolicy === undefined ? undefined : parsePolicy(sessionPolicy, 'identity')
  if (parsed && !parsed.ok) throw new Error(parsed.problems.join('; '))
  const s = emu.world.issueSession(emu.demo.appRole, {
    sessionName: 'rules',
    durationSeconds,
    ...(parsed?.ok ? { sessionPolicy: parsed.policy } : {}),
  })
  return {
    accessKeyId: s.accessKeyId,
    accessKeySecret: s.accessKeySecret,
    stsToken: s.securityToken,
  }
}

beforeAll(async () => {
  emu = await startTestEmulator()
  emu.oss.store.createBucket(emu.demo.accountId, 'other-bucket', {
    region: 'oss-cn-hangzhou',
    cors: [],
  })
})
afterAll(() => emu.close())

describe.each([
  ['V1', false],
  ['V4', true],
])('OSS emulator authentication (%s), with ali-oss', (_, v4) => {
  it("refuses a wrong secret, an unknown key, a wrong, another's or an expired token, and a skewed clock", async () => {
    const good = session()
    const other = session()
    const opts = { authorizationV4: v4 }
    expect(await outcome(client(good, opts).put('a.txt', Buffer.from('x')))).toBe('ok')
    expect(
      await outcome(
        client({ ...good, accessKeySecret: `${good.accessKeySecret}x` }, opts).put(
          'a.txt',
          Buffer.from('x'),
        ),
      ),
    ).toBe('403 SignatureDoesNotMatch')
    expect(
      await outcome(
        client({ ...good, accessKeyId: 'STS.doesnotexist' }, opts).put('a.txt', Buffer.from('x')),
      ),
    ).toBe('403 InvalidAccessKeyId')
    expect(
      await outcome(
        client({ ...good, stsToken: `${good.stsToken}x` }, opts).put('a.txt', Buffer.from('x')),
      ),
    ).toBe('403 InvalidSecurityToken')
    expect(
      await outcome(
        client({ ...good, stsToken: other.stsToken }, opts).put('a.txt', Buffer.from('x')),
      ),
    ).toBe('403 AccessKeyIdAndSecurityTokenNotMatch')
    expect(
      await outcome(
        client({ accessKeyId: good.accessKeyId, accessKeySecret: good.accessKeySecret }, opts).put(
          'a.txt',
          Buffer.from('x'),
        ),
      ),
    ).toBe('403 InvalidAccessKeyId')
    emu.clock.shift(16 * 60 * 1000)
    try {
      // Now both the request time (16 min behind the emulator) and the 15-minute token are out.
      expect(await outcome(client(good, opts).put('a.txt', Buffer.from('x')))).toBe(
        '403 RequestTimeTooSkewed',
      )
    } finally {
      emu.clock.reset()
    }
  })

  it('refuses expired STS credentials even when the request time is fine', async () => {
    // Minted 20 minutes in the past with a 15-minute life: expired 5 minutes ago.
    emu.clock.shift(-20 * 60 * 1000)
    const expired = session(undefined, 900)
    emu.clock.reset()
    expect(
      await outcome(client(expired, { authorizationV4: v4 }).put('b.txt', Buffer.from('x'))),
    ).toBe('403 SecurityTokenExpired')
  })
})

describe('RAM authorization = role policy ∩ session policy', () => {
  it('a session policy cannot widen the role, and narrows it', async () => {
    const wide = session({
      Version: '1',
      Statement: [{ Effect: 'Allow', Action: 'oss:*', Resource: '*' }],
    })
    expect(await outcome(client(wide).put('x/1.txt', Buffer.from('x')))).toBe('ok')
    // The role allows only demo-bucket: the session policy's `*` does not reach other-bucket.
    expect(
      await outcome(client(wide, { bucket: 'other-bucket' }).put('x/1.txt', Buffer.from('x'))),
    ).toBe('403 AccessDenied')
    const narrow = session({
      Version: '1',
      Statement: [
        { Effect: 'Allow', Action: 'oss:PutObject', Resource: 'acs:oss:*:*:demo-bucket/only/*' },
      ],
    })
    expect(await outcome(client(narrow).put('only/1.txt', Buffer.from('x')))).toBe('ok')
    expect(await outcome(client(narrow).put('x/1.txt', Buffer.from('x')))).toBe('403 AccessDenied')
    expect(await outcome(client(narrow).list({ prefix: 'only/' }))).toBe('403 AccessDenied')
    const denied = session({
      Version: '1',
      Statement: [
        { Effect: 'Allow', Action: 'oss:*', Resource: '*' },
        { Effect: 'Deny', Action: 'oss:PutObject', Resource: 'acs:oss:*:*:demo-bucket/secret/*' },
      ],
    })
    expect(await outcome(client(denied).put('secret/1.txt', Buffer.from('x')))).toBe(
      '403 AccessDenied',
    )
  })

  it('a RAM user is authorized by its own policies; anonymous requests are refused', async () => {
    const admin = {
      accessKeyId: emu.demo.admin.accessKeyId,
      accessKeySecret: emu.demo.admin.accessKeySecret,
    }
    expect(
      await outcome(client(admin, { bucket: 'other-bucket' }).put('admin.txt', Buffer.from('x'))),
    ).toBe('ok')
    const vendor = {
      accessKeyId: emu.demo.vendor.accessKeyId,
      accessKeySecret: emu.demo.vendor.accessKeySecret,
    }
    expect(await outcome(client(vendor).put('vendor.txt', Buffer.from('x')))).toBe(
      '403 AccessDenied',
    )
    const anonymous = await fetch(
      `${emu.ossEndpoint.replace('localhost', '127.0.0.1')}/demo-bucket/admin.txt`,
      { method: 'PUT', body: 'x' },
    )
    expect(anonymous.status).toBe(403)
  })
})

describe('OSS wire details', () => {
  it("answers errors in OSS's XML body with a request id header", async () => {
    const res = await fetch(`${emu.ossEndpoint}/no-such-bucket/k`)
    expect(res.status).toBe(404)
    expect(res.headers.get('content-type')).toBe('application/xml')
    expect(res.headers.get('x-oss-request-id')).toMatch(/^[0-9A-F]{24}$/)
    const text = await res.text()
    expect(text).toMatch(
      /^<\?xml version="1.0" encoding="UTF-8"\?>\n<Error><Code>NoSuchBucket<\/Code><Message>[^<]+<\/Message><RequestId>[0-9A-F]{24}<\/RequestId><HostId>[^<]+<\/HostId><\/Error>$/,
    )
  })

  it('bucket CORS: a listed origin gets a preflight that exposes ETag; an unlisted one is AccessForbidden', async () => {
    emu.oss.store.createBucket(emu.demo.accountId, 'cors-bucket', {
      region: 'oss-cn-hangzhou',
      cors: [browserUploadCors(['https://app.example.com'])],
    })
    const preflight = (origin: string) =>
      fetch(`${emu.ossEndpoint}/cors-bucket/k`, {
        method: 'OPTIONS',
        headers: {
          Origin: origin,
          'Access-Control-Request-Method': 'PUT',
          'Access-Control-Request-Headers': 'authorization, x-oss-date',
        },
      })
    const ok = await preflight('https://app.example.com')
    expect(ok.status).toBe(200)
    expect(ok.headers.get('access-control-allow-origin')).toBe('https://app.example.com')
    expect(ok.headers.get('access-control-expose-headers')).toContain('ETag')
    const refused = await preflight('https://evil.example.com')
    expect(refused.status).toBe(403)
    expect(await refused.text()).toContain('<Code>AccessForbidden</Code>')
    // A bucket without a rule refuses every preflight: browser multipart then fails, the known trap.
    expect(
      (
        await fetch(`${emu.ossEndpoint}/other-bucket/k`, {
          method: 'OPTIONS',
          headers: { Origin: 'https://app.example.com', 'Access-Control-Request-Method': 'PUT' },
        })
      ).status,
    ).toBe(403)
  })
})
