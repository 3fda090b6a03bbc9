import { describe, expect, it } from 'vitest'
import type { ConfigError } from '../../../lib/config/config-error.ts'
import { envSecretResolver, loadConfig } from '../../../lib/config/load.ts'

const env = envSecretResolver({
  URL: 'rediss://cache.internal:6380',
  BAD_URL: 'http://cache.internal',
  KEY: 'k'.repeat(32),
  SHORT: 'short',
  PASS: 'p',
})
const config = (redis: unknown) =>
  JSON.stringify({
    region: 'cn-hangzhou',
    sts: { endpoint: 'https://sts.cn-hangzhou.aliyuncs.com' },
    callers: { apiKeys: [{ id: 'acme', sha256: ['0'.repeat(64)] }] },
    profiles: {
      p: { kind: 'sts', allow: [{ apiKey: 'acme' }], roleArn: 'acs:ram::1234567890123456:role/r' },
    },
    redis,
  })
// Each problem as `path: message` (where in the file is checked in config-problems.test.ts).
const problems = (text: string) =>
  loadConfig(text, env).then(
    () => [],
    (e: ConfigError) => e.problems.map((p) => `${p.path}: ${p.message}`),
  )

describe('the redis section', () => {
  it('resolves its references and keeps rule-free: the generation ignores it', async () => {
    const loaded = await loadConfig(
      config({
        url: { env: 'URL' },
        password: { env: 'PASS' },
        keys: [{ id: 'k1', secret: { env: 'KEY' } }],
      }),
      env,
    )
    expect(loaded.redis).toMatchObject({
      url: 'rediss://cache.internal:6380',
      password: 'p',
      keys: [{ id: 'k1', secret: 'k'.repeat(32) }],
      keyPrefix: 'credvend:',
      maxInstances: 10,
    })
    const without = await loadConfig(config(undefined), env)
    expect(without.redis).toBeUndefined()
    expect(without.generation).toBe(loaded.generation)
  })

  it('refuses short keys, a URL that is not Redis, plain secrets and repeated key ids, one line each', async () => {
    expect(
      await problems(
        config({ url: { env: 'BAD_URL' }, keys: [{ id: 'k1', secret: { env: 'SHORT' } }] }),
      ),
    ).toEqual([
      'redis.url: the resolved value is not a redis:// or rediss:// URL',
      'redis.keys[0].secret: the resolved key is shorter than 32 characters',
    ])
    // A pasted URL may carry a password: named, never echoed.
    const pasted = (
      await problems(
        config({ url: 'redis://:hunter2@localhost', keys: [{ id: 'k1', secret: { env: 'KEY' } }] }),
      )
    ).join('\n')
    expect(pasted).toMatch(/^redis\.url: /)
    expect(pasted).not.toContain('hunter2')
    expect(
      (
        await problems(
          config({
            url: { env: 'URL' },
            keys: [
              { id: 'k1', secret: { env: 'KEY' } },
              { id: 'k1', secret: { env: 'KEY' } },
            ],
          }),
        )
      ).join('\n'),
    ).toMatch(/each key id once/)
  })
})
