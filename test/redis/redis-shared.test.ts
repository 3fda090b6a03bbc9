import { Redis } from 'ioredis'
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest'
import { assemble } from '../../lib/assemble.ts'
import { envSecretResolver, loadConfig, type LoadedConfig } from '../../lib/config/load.ts'
import type { ConfigInput } from '../../lib/config/schema.ts'
import { fromStatic } from '../../lib/credentials/provider.ts'
import { randomHexId } from '../../lib/runtime/deps.ts'
import { connectRedis } from '../../functions/node/platform/connect-redis.ts'
import { sleepAtLeast } from '../../functions/node/platform/deps.ts'
import { createNonceWindow } from '../../lib/session/nonce-window.ts'
import { sharedNonces } from '../../lib/store/shared-limits.ts'
import type { SharedState } from '../../lib/store/shared-state.ts'
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.ts'
import { redisAvailable, startRedisServer } from '../helpers/redis-server.ts'
import { describeWithSystemDep } from '../helpers/system-deps.ts'
import { AUDIENCE, ISSUER, makeSigner } from '../helpers/vend-harness.ts'

describeWithSystemDep(
  'redis-server',
  redisAvailable(),
  'credvend instances sharing a real Redis',
  () => {
    let emulator: TestEmulator
    let redis: Awaited<ReturnType<typeof startRedisServer>>
    let raw: Redis
    let signer: Awaited<ReturnType<typeof makeSigner>>
    let loaded: LoadedConfig
    const closers: Array<() => void> = []

    /** One credvend instance, as the Node server builds it with a redis section. */
    const asConfig = (input: ConfigInput, extraEnv: Record<string, string> = {}) => ({
      text: JSON.stringify(input),
      env: { ...env(), ...extraEnv },
    })
    const instance = async (name: string, config = asConfig(baseConfig)) => {
      const logs: Array<Record<string, unknown>> = []
      const fetchStamped: typeof fetch = (input, init) => {
        if (String(input instanceof Request ? input.url : input).startsWith(emulator.stsEndpoint))
          stsSends.push(Date.now())
        return fetch(input, init)
      }
      const deps = {
        fetch: fetchStamped,
        now: emulator.now,
        randomId: randomHexId,
        sleep: sleepAtLeast,
        random: Math.random,
        elapsedMs: () => performance.now(),
      }
      const log = (line: Record<string, unknown>) => void logs.push(line)
      let shared: SharedState | undefined
      const source = fromStatic({ ...emulator.demo.vendor, source: name })
      const { app, credvend } = await assemble(
        {
          deps,
          env: config.env,
          log,
          sharePending: true,
          source: () => source,
          connectShared: async (settings) => {
            const connected = await connectRedis(settings, deps, log)
            closers.push(connected.close)
            shared = connected.shared
            return connected
          },
        },
        config.text,
      )
      const vend = async (sub: string) => {
        const response = await app.request('/v1/credentials/plain', {
          headers: {
            authorization: `Bearer ${await signer.sign({}, { sub, exp: Math.floor(emulator.now().getTime() / 1000) + 600 })}`,
          },
        })
        return { status: response.status, body: (await response.json()) as Record<string, string> }
      }
      const audits = () => logs.filter((l) => l.type === 'audit')
      const metric = async (series: string) => {
        const text = await (await app.request('/metrics')).text()
        const line = text.split('\n').find((l) => l.startsWith(`${series} `))
        return line === undefined ? undefined : Number(line.split(' ')[1])
      }
      return { vend, audits, metric, credvend, shared: shared! }
    }
    const assumeRoleCalls = () => emulator.calls.byAction.get('AssumeRole') ?? 0
    /** When either instance put an STS request on the wire (Date.now: the clock Redis's TIME and the local governors read). */
    const stsSends: number[] = []
    /** The most sends in any one-second window. */
    const busiest = (times: readonly number[]) =>
      Math.max(0, ...times.map((t) => times.filter((s) => s >= t && s < t + 1000).length))
    let baseConfig: ConfigInput
    const env = () => ({
      REDIS_URL: redis.url,
      SEAL_KEY: 'x'.repeat(40),
      NEW_SEAL_KEY: 'y'.repeat(40),
    })
    const vendNames = async () => new Set(await raw.keys('test:vend:*'))

    beforeAll(async () => {
      emulator = await startTestEmulator()
      redis = await startRedisServer()
      raw = new Redis(redis.url, { lazyConnect: true, maxRetriesPerRequest: 0 })
      raw.on('error', () => {})
      await raw.connect()
      signer = await makeSigner('ES256')
      baseConfig = {
        region: 'cn-hangzhou',
        sts: { endpoint: emulator.stsEndpoint, timeoutMs: 20_000 },
        callers: {
          jwt: [
            {
              id: 'web',
              issuer: ISSUER,
              audience: AUDIENCE,
              algorithms: ['ES256'],
              jwks: { keys: [signer.jwk] },
            },
          ],
        },
        profiles: {
          plain: {
            kind: 'sts',
            allow: [{ jwt: 'web' }],
            roleArn: emulator.demo.appRole.arn,
            durationSeconds: 900,
          },
        },
        limits: { perCaller: null, perCallerMisses: null, perSourceAddress: null },
        exposeInternalRoutes: true,
        // A stopped Redis fails commands at once (the connection is gone); the timeout only covers a
        // Redis that hangs. Generous here: a test worker's busy event loop must not fire it spuriously.
        redis: {
          url: { env: 'REDIS_URL' },
          keys: [{ id: 'k1', secret: { env: 'SEAL_KEY' } }],
          keyPrefix: 'test:',
          commandTimeoutMs: 1_000,
        },
      }
      loaded = await loadConfig(JSON.stringify(baseConfig), envSecretResolver(env()))
    })
    // A test that stopped Redis and failed before starting it again must not fail the ones after it.
    afterEach(() => redis.start())
    afterAll(async () => {
      closers.forEach((close) => close())
      raw?.disconnect()
      await redis?.stop()
      await emulator?.close()
    })

    it('two instances make one STS call for the same caller across both, at once or one after the other', async () => {
      const [a, b] = [await instance('a'), await instance('b')]
      const before = assumeRoleCalls()
      const together = await Promise.all([
        ...Array.from({ length: 10 }, () => a.vend('alice')),
        ...Array.from({ length: 10 }, () => b.vend('alice')),
      ])
      expect(together.map((r) => r.status)).toEqual(Array(20).fill(200))
      expect(new Set(together.map((r) => r.body.AccessKeyId)).size).toBe(1)
      expect(assumeRoleCalls() - before).toBe(1)

      const first = await a.vend('bob')
      const second = await b.vend('bob')
      expect(second.body.AccessKeyId).toBe(first.body.AccessKeyId)
      expect(assumeRoleCalls() - before).toBe(2)
      expect(b.audits().at(-1)).toMatchObject({ callerId: 'jwt.web.bob', cache: 'shared' })
      // Redis holds sealed values under HMAC'd names: no caller id, no key id, no secret in the clear.
      const stored = await Promise.all(
        [...(await vendNames())].map(async (name) => `${name} ${await raw.get(name)}`),
      )
      expect(stored.length).toBeGreaterThanOrEqual(2)
      for (const entry of stored) {
        expect(entry).not.toMatch(/alice|bob/)
        expect(entry).not.toContain(first.body.AccessKeyId!)
        expect(entry).not.toContain(first.body.AccessKeySecret!)
      }
    })

    it('a sealed value moved to another key is detected and refused, never served', async () => {
      const a = await instance('a')
      let names = await vendNames()
      const carol = await a.vend('carol')
      const carolName = [...(await vendNames())].find((n) => !names.has(n))!
      names = await vendNames()
      await a.vend('dave')
      const daveName = [...(await vendNames())].find((n) => !names.has(n))!
      expect(carolName).toBeDefined()
      expect(daveName).toBeDefined()
      // Whoever can write to Redis copies carol's sealed credentials under dave's name.
      await raw.set(daveName, (await raw.get(carolName))!, 'PX', 600_000)

      const b = await instance('b')
      const before = assumeRoleCalls()
      const dave = await b.vend('dave')
      expect(dave.status).toBe(200)
      expect(dave.body.AccessKeyId).not.toBe(carol.body.AccessKeyId)
      expect(assumeRoleCalls() - before).toBe(1)
      // Counted at each read that refused it (before the lock and after).
      expect(
        await b.metric('credvend_redis_refused_values_total{reason="tampered"}'),
      ).toBeGreaterThanOrEqual(1)
      expect(await b.metric('credvend_redis_refused_values_total{reason="unknown-key"}')).toBe(0)
    })

    it('Redis stopped mid-stream: each instance keeps vending on its own, never past validity, and rejoins when Redis is back', async () => {
      const [a, b] = [await instance('a'), await instance('b')]
      const before = assumeRoleCalls()
      expect((await a.vend('erin')).status).toBe(200)
      expect((await b.vend('erin')).status).toBe(200)
      expect(assumeRoleCalls() - before).toBe(1)

      await redis.stop()
      const served: Array<{ status: number; expiresMs: number; nowMs: number }> = []
      const round = async () => {
        for (const who of [a, b]) {
          for (const sub of ['erin', 'frank']) {
            const r = await who.vend(sub)
            served.push({
              status: r.status,
              expiresMs: Date.parse(r.body.Expiration!),
              nowMs: emulator.now().getTime(),
            })
          }
        }
      }
      await round()
      expect(await a.metric('credvend_redis_up')).toBe(0)
      // Past the validity of everything vended so far (900 s): nothing cached may be served now.
      emulator.clock.shift(901_000)
      await round()
      emulator.clock.shift(1_802_000)
      await round()
      expect(served.map((s) => s.status)).toEqual(Array(12).fill(200))
      for (const s of served) expect(s.expiresMs).toBeGreaterThan(s.nowMs)
      // frank is new at both instances in each of three periods; erin at b only once a's entry ages out.
      expect(assumeRoleCalls() - before).toBeGreaterThanOrEqual(1 + 2 + 4)

      await redis.start()
      await new Promise((r) => setTimeout(r, 1_500)) // past the one-second back-off, and ioredis's reconnect
      const rejoined = assumeRoleCalls()
      expect((await a.vend('grace')).status).toBe(200)
      expect((await b.vend('grace')).status).toBe(200)
      expect(assumeRoleCalls() - rejoined).toBe(1)
      expect(await b.metric('credvend_redis_up')).toBe(1)
      emulator.clock.reset()
    }, 30_000)

    it('the STS governor is shared: two instances together keep the rate, and each keeps its share while Redis is down', async () => {
      const RATE = 4
      const paced = asConfig({
        ...baseConfig,
        sts: { ...baseConfig.sts, maxCallsPerSecond: RATE },
        redis: { ...baseConfig.redis!, keyPrefix: 'paced:', maxInstances: 2 },
      })
      const [a, b] = [await instance('a', paced), await instance('b', paced)]
      stsSends.length = 0
      const together = await Promise.all(
        Array.from({ length: 12 }, (_, i) => (i % 2 ? a : b).vend(`paced-${i}`)),
      )
      expect(together.map((r) => r.status)).toEqual(Array(12).fill(200))
      expect(stsSends).toHaveLength(12)
      expect(busiest(stsSends)).toBeLessThanOrEqual(RATE)

      await redis.stop()
      try {
        stsSends.length = 0
        const alone = await Promise.all(
          Array.from({ length: 8 }, (_, i) => (i % 2 ? a : b).vend(`alone-${i}`)),
        )
        expect(alone.map((r) => r.status)).toEqual(Array(8).fill(200))
        expect(stsSends).toHaveLength(8)
        // Each instance at floor(4 / 2) = 2 per second: together still within the quota.
        expect(busiest(stsSends)).toBeLessThanOrEqual(RATE)
      } finally {
        await redis.start()
      }
    }, 30_000)

    it("rate limits and login nonces are shared: a caller's budget and a nonce count across instances", async () => {
      const limitedConfig = asConfig({
        ...baseConfig,
        limits: {
          perCaller: { perSecond: 0.01, burst: 2 },
          perCallerMisses: null,
          perSourceAddress: null,
        },
        redis: { ...baseConfig.redis!, keyPrefix: 'limits:' },
      })
      await new Promise((r) => setTimeout(r, 1_100)) // past the back-off of the previous test's outage
      const [a, b] = [await instance('a', limitedConfig), await instance('b', limitedConfig)]
      expect((await a.vend('heidi')).status).toBe(200)
      expect((await b.vend('heidi')).status).toBe(200)
      expect((await a.vend('heidi')).status).toBe(429)
      expect((await b.vend('heidi')).status).toBe(429)
      expect((await b.vend('ivan')).status).toBe(200)

      const nonces = [
        sharedNonces(createNonceWindow(60_000), a.shared, 60_000),
        sharedNonces(createNonceWindow(60_000), b.shared, 60_000),
      ] as const
      const nowMs = Date.now()
      expect(await nonces[0].claim('LTAI-key\nnonce-1', nowMs)).toBe(true)
      expect(await nonces[1].claim('LTAI-key\nnonce-1', nowMs)).toBe(false)
      expect(await nonces[1].claim('LTAI-key\nnonce-2', nowMs)).toBe(true)
    })

    it('a new sealing key goes first and the old one still opens what it sealed', async () => {
      const old = await instance('old')
      const first = await old.vend('judy')
      const rotatedInput: ConfigInput = {
        ...baseConfig,
        redis: {
          ...baseConfig.redis!,
          keys: [{ id: 'k2', secret: { env: 'NEW_SEAL_KEY' } }, ...baseConfig.redis!.keys],
        },
      }
      const rotated = await loadConfig(JSON.stringify(rotatedInput), envSecretResolver(env()))
      expect(rotated.generation).toBe(loaded.generation) // the redis section is not a rule
      const fresh = await instance('new', asConfig(rotatedInput))
      const before = assumeRoleCalls()
      expect((await fresh.vend('judy')).body.AccessKeyId).toBe(first.body.AccessKeyId)
      expect(assumeRoleCalls()).toBe(before)
      // What the new key seals, an instance that knows only the old key cannot open: a miss, never an error.
      await fresh.vend('kim')
      const stale = await instance('stale')
      expect((await stale.vend('kim')).status).toBe(200)
      expect(assumeRoleCalls()).toBe(before + 2)
    })

    it('AUTH: with the password credvend shares state; with a wrong one it refuses nothing and runs per instance', async () => {
      const guarded = await startRedisServer({ password: 'p'.repeat(24) })
      try {
        const configFor = async (password: string) =>
          asConfig(
            {
              ...baseConfig,
              redis: {
                ...baseConfig.redis!,
                url: { env: 'GUARDED_URL' },
                password: { env: 'GUARDED_PASSWORD' },
              },
            },
            { GUARDED_URL: guarded.url, GUARDED_PASSWORD: password },
          )
        const right = await configFor('p'.repeat(24))
        const [a, b] = [await instance('a', right), await instance('b', right)]
        const before = assumeRoleCalls()
        expect((await a.vend('leo')).status).toBe(200)
        expect((await b.vend('leo')).status).toBe(200)
        expect(assumeRoleCalls() - before).toBe(1)
        expect(await b.metric('credvend_redis_up')).toBe(1)

        const wrong = await instance('c', await configFor('wrong-password'))
        expect((await wrong.vend('leo')).status).toBe(200)
        expect(assumeRoleCalls() - before).toBe(2)
        expect(await wrong.metric('credvend_redis_up')).toBe(0)
      } finally {
        await guarded.stop()
      }
    })
  },
)
