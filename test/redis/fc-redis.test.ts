import { createHash } from 'node:crypto'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { bundleFc, bundleFcRedis, REDIS_CHUNK } from '../../functions/node/tools/bundle-fc.ts'
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.ts'
import { redisAvailable, startRedisServer } from '../helpers/redis-server.ts'
import { describeWithSystemDep } from '../helpers/system-deps.ts'
import { CHILD_PROCESS_TIMEOUT_MS } from '../helpers/timeouts.ts'

const VERBATIM = readFileSync('test/fixtures/fc3-http-event.json', 'utf8')
const KEY = `cvk_acme_${'D'.repeat(43)}`
type Handler = (event: Buffer, context: unknown) => Promise<{ statusCode: number; body: string }>

describeWithSystemDep(
  'redis-server',
  redisAvailable(),
  'the built FC code package with a redis section',
  () => {
    let emulator: TestEmulator
    let redis: Awaited<ReturnType<typeof startRedisServer>>
    const saved = { ...process.env }

    /** One FC instance: the code package as build-fc writes it, loaded in its own module scope. */
    const instance = (index: string, chunk: string): Handler => {
      const dir = mkdtempSync(join(tmpdir(), 'credvend-fc-redis-'))
      writeFileSync(join(dir, 'index.js'), index)
      writeFileSync(join(dir, REDIS_CHUNK), chunk)
      writeFileSync(join(dir, 'package.json'), '{"type":"commonjs"}')
      return (createRequire(join(dir, 'index.js'))(join(dir, 'index.js')) as { handler: Handler })
        .handler
    }
    const vend = (handler: Handler) =>
      handler(
        Buffer.from(
          JSON.stringify({
            ...JSON.parse(VERBATIM),
            rawPath: '/v1/credentials/plain',
            queryParameters: {},
            headers: { authorization: `Bearer ${KEY}` },
          }),
        ),
        {
          requestId: 'req',
          credentials: {
            accessKeyId: emulator.demo.vendor.accessKeyId,
            accessKeySecret: emulator.demo.vendor.accessKeySecret,
          },
        },
      )

    beforeAll(async () => {
      emulator = await startTestEmulator()
      redis = await startRedisServer()
      process.env.CREDVEND_CONFIG_JSON = JSON.stringify({
        region: 'cn-hangzhou',
        sts: { endpoint: emulator.stsEndpoint },
        callers: { apiKeys: [{ id: 'acme', sha256: [{ env: 'ACME_SHA256' }] }] },
        profiles: {
          plain: {
            kind: 'sts',
            allow: [{ apiKey: 'acme' }],
            roleArn: emulator.demo.appRole.arn,
            durationSeconds: 900,
          },
        },
        limits: { perCaller: null, perCallerMisses: null, perSourceAddress: null },
        redis: {
          url: { env: 'REDIS_URL' },
          keys: [{ id: 'k1', secret: { env: 'SEAL_KEY' } }],
          // A busy CI machine can take longer than the 250 ms default to answer a command, which
          // counts as Redis being down: the test is about sharing, not about the timeout.
          commandTimeoutMs: 2_000,
        },
      })
      process.env.ACME_SHA256 = createHash('sha256').update(KEY).digest('hex')
      process.env.REDIS_URL = redis.url
      process.env.SEAL_KEY = 'z'.repeat(32)
      for (const name of Object.keys(process.env))
        if (name.startsWith('ALIBABA_CLOUD_')) delete process.env[name]
      process.env.ALIBABA_CLOUD_ECS_METADATA_DISABLED = 'true'
    }, CHILD_PROCESS_TIMEOUT_MS)
    afterAll(async () => {
      for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name]
      Object.assign(process.env, saved)
      await redis?.stop()
      await emulator?.close()
    })

    it(
      'two instances of the bundle load ioredis from connect-redis.js and share one STS call',
      async () => {
        const [index, chunk] = await Promise.all([bundleFc(), bundleFcRedis()])
        expect(index).not.toContain('ioredis')
        const [a, b] = [instance(index, chunk), instance(index, chunk)]
        const before = emulator.calls.byAction.get('AssumeRole') ?? 0
        const first = await vend(a)
        const second = await vend(b)
        expect([first.statusCode, second.statusCode]).toEqual([200, 200])
        expect(JSON.parse(second.body).AccessKeyId).toBe(JSON.parse(first.body).AccessKeyId)
        expect((emulator.calls.byAction.get('AssumeRole') ?? 0) - before).toBe(1)
      },
      CHILD_PROCESS_TIMEOUT_MS,
    )
  },
)
