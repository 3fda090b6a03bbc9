import { describe, expect, it, vi } from 'vitest'
import type { Caller } from '../../../lib/auth/caller.ts'
import { envSecretResolver, loadConfig } from '../../../lib/config/load.ts'
import type { ConfigInput } from '../../../lib/config/schema.ts'
import { fromStatic } from '../../../lib/credentials/provider.ts'
import { VendError } from '../../../lib/errors.ts'
import type { StsClient } from '../../../lib/sts/client.ts'
import type { AssumeRoleInput } from '../../../lib/sts/schemas.ts'
import type { StsVended } from '../../../lib/vend/vended.ts'
import { createVendService } from '../../../lib/vend/vend-service.ts'

const ROLE = 'acs:ram::1234567890123456:role/app'
const HUB = 'acs:ram::1234567890123456:role/hub'
const T0 = Date.parse('2026-11-22T10:00:00Z')

/** The AccessKeyId an answer hands out; a PostObject form hands out none. */
const keyOf = (vended: StsVended) =>
  'AccessKeyId' in vended.body ? vended.body.AccessKeyId : undefined

const jwtCaller = (sub: string): Caller => ({
  id: `jwt.web.${sub}`,
  kind: 'jwt',
  authority: 'web',
  sub,
  claims: {},
})

const config: ConfigInput = {
  region: 'cn-hangzhou',
  sts: { endpoint: 'https://sts.cn-hangzhou.aliyuncs.com' },
  callers: {
    jwt: [
      { id: 'web', issuer: 'https://login.example.com', audience: 'credvend', jwks: { keys: [] } },
    ],
  },
  profiles: {
    plain: { kind: 'sts', allow: [{ jwt: 'web' }], roleArn: ROLE, durationSeconds: 900 },
    fixed: {
      kind: 'sts',
      allow: [{ jwt: 'web' }],
      roleArn: ROLE,
      sessionPolicy: {
        Version: '1',
        Statement: [{ Effect: 'Allow', Action: 'oss:GetObject', Resource: 'acs:oss:*:*:b/*' }],
      },
      durationSeconds: 900,
    },
    chained: {
      kind: 'sts',
      allow: [{ jwt: 'web' }],
      roleArn: ROLE,
      via: [{ roleArn: HUB, durationSeconds: 900 }],
      durationSeconds: 900,
    },
    upload: {
      kind: 'oss-upload',
      allow: [{ jwt: 'web' }],
      roleArn: ROLE,
      bucket: 'photos',
      region: 'oss-cn-hangzhou',
      prefix: 'users/${caller.id}/',
      actions: ['put'],
      corsOrigins: ['https://app.example.com'],
      form: { maxSizeBytes: 1024, only: false },
    },
  },
}

/** A clock the test moves by hand. */
const clock = () => {
  let nowMs = T0
  return { now: () => new Date(nowMs), advance: (ms: number) => void (nowMs += ms) }
}

/** STS as a named fake: every AssumeRole answers with fresh keys valid for the asked duration. */
const fakeSts = (now: () => Date) => {
  let n = 0
  const assumeRole = vi.fn(async (_from: unknown, input: AssumeRoleInput) => {
    n++
    return {
      requestId: `REQ-${n}`,
      assumedRoleUser: {
        arn: `${input.roleArn}/${input.roleSessionName}`,
        assumedRoleId: `1:${n}`,
      },
      credentials: {
        accessKeyId: `STS.${n}`,
        accessKeySecret: `secret-${n}`,
        securityToken: `token-${n}`,
        expiration: new Date(now().getTime() + (input.durationSeconds ?? 3600) * 1000),
      },
    }
  })
  const sts: StsClient = {
    assumeRole,
    assumeRoleWithOidc: () => Promise.reject(new Error('not used')),
    getCallerIdentity: () => Promise.reject(new Error('not used')),
    clockOffsetMs: () => 0,
  }
  return { sts, assumeRole }
}

const setup = async (
  options: { admitMiss?: (callerId: string) => Promise<void>; sourceValidMs?: number } = {},
) => {
  const time = clock()
  const { sts, assumeRole } = fakeSts(time.now)
  const loaded = await loadConfig(JSON.stringify(config), envSecretResolver({}))
  const service = createVendService({
    deps: {
      fetch: () => Promise.reject(new Error('no network in unit tests')),
      now: time.now,
      randomId: () => 'id',
      sleep: async () => {},
      random: () => 0.5,
    },
    sts,
    source: fromStatic({
      accessKeyId: 'STS.own',
      accessKeySecret: 'own-secret',
      securityToken: 'own-token',
      expiration: new Date(T0 + (options.sourceValidMs ?? 3600_000)),
      source: 'test',
    }),
    sharePending: true,
    maxEntries: 100,
    upstream: { ...loaded.config.upstream, attempts: 1 },
    ...(options.admitMiss ? { admitMiss: options.admitMiss } : {}),
  })
  const vend = (profile: string, caller = jwtCaller('alice'), request = {}) =>
    service.vend(loaded, profile, caller, request)
  return { service, vend, assumeRole, time, loaded }
}

describe('the STS vend service', () => {
  it('N concurrent vends of one key make one STS call, and every caller gets the same keys', async () => {
    const { vend, assumeRole } = await setup()
    const results = await Promise.all(Array.from({ length: 25 }, () => vend('plain')))
    expect(assumeRole).toHaveBeenCalledTimes(1)
    expect(new Set(results.map(keyOf))).toEqual(new Set(['STS.1']))
    expect(results.filter((r) => r.cache === 'miss')).toHaveLength(25)
  })

  it('charges the miss limit once per flight: joiners of a running call are free', async () => {
    const admitMiss = vi.fn(async () => {})
    const { vend } = await setup({ admitMiss })
    await Promise.all(Array.from({ length: 10 }, () => vend('plain')))
    await vend('plain')
    expect(admitMiss).toHaveBeenCalledTimes(1)
  })

  it('different callers never share credentials', async () => {
    const { vend, assumeRole } = await setup()
    const [a, b] = await Promise.all([
      vend('plain', jwtCaller('alice')),
      vend('plain', jwtCaller('bob')),
    ])
    expect(assumeRole).toHaveBeenCalledTimes(2)
    expect(keyOf(a)).not.toBe(keyOf(b))
  })

  it('serves a hit while enough validity is left, and refreshes past minRemainingSeconds', async () => {
    const { vend, assumeRole, time } = await setup()
    expect((await vend('plain')).cache).toBe('miss')
    time.advance(400_000)
    expect((await vend('plain')).cache).toBe('hit')
    time.advance(100_000) // 400 s left of 900: below the default half
    const after = await vend('plain')
    expect(after.cache).toBe('miss')
    expect(assumeRole).toHaveBeenCalledTimes(2)
  })

  it('a throttled upstream serves the still-valid entry, marked stale', async () => {
    const { vend, assumeRole, time } = await setup()
    const first = await vend('plain')
    time.advance(500_000)
    assumeRole.mockRejectedValueOnce(
      new VendError('ERR_STS_THROTTLED', 'throttled', { retryable: false }),
    )
    const stale = await vend('plain')
    expect(stale.cache).toBe('stale')
    expect(keyOf(stale)).toBe(keyOf(first))
  })

  it('a refusal is never papered over with cached credentials', async () => {
    const { vend, assumeRole, time } = await setup()
    await vend('plain')
    time.advance(500_000)
    assumeRole.mockRejectedValueOnce(
      new VendError('ERR_STS_DENIED', 'denied', {
        upstream: { service: 'sts', code: 'NoPermission' },
      }),
    )
    await expect(vend('plain')).rejects.toMatchObject({ code: 'ERR_STS_DENIED' })
  })

  it('does not serve stale credentials with less than a minute left', async () => {
    const { vend, assumeRole, time } = await setup()
    await vend('plain')
    time.advance(850_000)
    assumeRole.mockRejectedValueOnce(
      new VendError('ERR_STS_UNAVAILABLE', 'down', { retryable: true }),
    )
    await expect(vend('plain')).rejects.toMatchObject({ code: 'ERR_STS_UNAVAILABLE' })
  })

  it('answers 404 for a profile the caller is not allowed, with no STS call', async () => {
    const { vend, assumeRole } = await setup()
    const partner: Caller = {
      id: 'key.acme',
      kind: 'apiKey',
      authority: 'acme',
      sub: 'acme',
      claims: {},
    }
    await expect(vend('plain', partner)).rejects.toMatchObject({ code: 'ERR_NOT_FOUND' })
    await expect(vend('missing')).rejects.toMatchObject({ code: 'ERR_NOT_FOUND' })
    expect(assumeRole).not.toHaveBeenCalled()
  })

  it('disabling a profile takes effect at once and purges its cache', async () => {
    const { service, vend } = await setup()
    await vend('plain')
    expect(service.disableProfile('plain')).toBe(1)
    await expect(vend('plain')).rejects.toMatchObject({ code: 'ERR_NOT_FOUND' })
  })

  it('builds each kind of answer itself: upload credentials carry the place, a form no secret', async () => {
    const { vend } = await setup()
    const upload = await vend('upload')
    expect(upload.kind).toBe('oss-upload')
    expect(upload.body).toMatchObject({ Bucket: 'photos', Prefix: 'users/jwt.web.alice/' })
    const form = await vend('upload', jwtCaller('alice'), { form: true })
    expect(form.kind).toBe('post-object')
    expect(form.body).not.toHaveProperty('AccessKeySecret')
    expect(form.body).toHaveProperty('PostObject.Fields.x-oss-signature')
    await expect(vend('plain', jwtCaller('alice'), { form: true })).rejects.toMatchObject({
      code: 'ERR_BAD_REQUEST',
    })
  })

  it('a fixed session policy is the one rendered at load, sent as is and reported by its hash', async () => {
    const { vend, assumeRole, loaded } = await setup()
    const rendered = loaded.profiles.get('fixed')!.fixedPolicy!
    const first = await vend('fixed')
    const again = await vend('fixed', jwtCaller('alice'), {})
    expect([first.cache, again.cache]).toEqual(['miss', 'hit'])
    expect(assumeRole.mock.calls.map(([, input]) => input.policy)).toEqual([rendered.text])
    expect(again.body.PolicySha256).toBe(rendered.sha256)
    expect(again.audit.policySha256).toBe(rendered.sha256)
    await expect(
      vend('fixed', jwtCaller('alice'), { parameters: { folder: 'x' } }),
    ).rejects.toMatchObject({ code: 'ERR_BAD_REQUEST' })
    await expect(
      vend('plain', jwtCaller('alice'), { parameters: { folder: 'x' } }),
    ).rejects.toMatchObject({
      code: 'ERR_BAD_REQUEST',
      message: 'this profile declares no parameters',
    })
  })

  it("each caller's upload place is its own, hit or miss", async () => {
    const { vend } = await setup()
    const prefix = async (sub: string) => {
      const answer = await vend('upload', jwtCaller(sub))
      return [answer.cache, 'Prefix' in answer.body ? answer.body.Prefix : undefined]
    }
    expect(await prefix('alice')).toEqual(['miss', 'users/jwt.web.alice/'])
    expect(await prefix('bob')).toEqual(['miss', 'users/jwt.web.bob/'])
    expect(await prefix('alice')).toEqual(['hit', 'users/jwt.web.alice/'])
    expect(await prefix('bob')).toEqual(['hit', 'users/jwt.web.bob/'])
  })

  it('a chained session is served only while every link before it is valid', async () => {
    // credvend's own credentials end in 10 minutes; the role was granted 15.
    const { vend, assumeRole } = await setup({ sourceValidMs: 600_000 })
    const chained = await vend('chained')
    expect(assumeRole.mock.calls.map(([, input]) => input.roleArn)).toEqual([HUB, ROLE])
    expect(chained.body.Expiration).toBe('2026-11-22T10:10:00Z')
    const plain = await vend('plain')
    expect(plain.body.Expiration).toBe('2026-11-22T10:15:00Z')
  })
})
