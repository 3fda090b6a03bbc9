import { describe, expect, it } from 'vitest'
import type { ConfigError } from '../../../lib/config/config-error.ts'
import { envSecretResolver, loadConfig } from '../../../lib/config/load.ts'

const config = (via: unknown[], durationSeconds: unknown = 900) =>
  JSON.stringify({
    region: 'cn-hangzhou',
    sts: { endpoint: 'https://sts.cn-hangzhou.aliyuncs.com' },
    callers: { apiKeys: [{ id: 'acme', sha256: ['a'.repeat(64)] }] },
    sessionNameKey: { env: 'K' },
    profiles: {
      acme: {
        kind: 'sts',
        allow: [{ apiKey: 'acme' }],
        roleArn: 'acs:ram::2222222222222222:role/partner',
        externalId: { env: 'EXT' },
        sessionName: 'pseudonymous',
        durationSeconds,
        via,
      },
    },
  })
const env = envSecretResolver({
  K: 'k'.repeat(32),
  EXT: 'cv-partner-external-id',
  HUB_EXT: 'cv-hub-external-id',
})
// Each problem as `path: message` (where in the file is checked in config-problems.test.ts).
const problems = (text: string) =>
  loadConfig(text, env).then(
    () => [],
    (e: ConfigError) => e.problems.map((p) => `${p.path}: ${p.message}`),
  )

describe('profiles with hub roles (via)', () => {
  it('load with their hubs in order, hub ExternalIds resolved, and the chain in the cache identity', async () => {
    const hub = { roleArn: 'acs:ram::1234567890123456:role/hub', externalId: { env: 'HUB_EXT' } }
    const a = (await loadConfig(config([hub]), env)).profiles.get('acme')!
    expect(a.hops).toEqual([
      { roleArn: hub.roleArn, externalId: 'cv-hub-external-id', durationSeconds: 3600 },
    ])
    const b = (await loadConfig(config([{ roleArn: hub.roleArn }]), env)).profiles.get('acme')!
    expect(b.externalIdHash).not.toBe(a.externalIdHash)
  })

  it("refuse a hub that cannot outlast the profile's longest vend, more than two hubs, and non-role ARNs", async () => {
    expect(
      (
        await problems(
          config([{ roleArn: 'acs:ram::1234567890123456:role/hub', durationSeconds: 900 }], {
            default: 900,
            max: 3600,
          }),
        )
      ).join('\n'),
    ).toMatch(
      /via\[0\]\.durationSeconds: a hub must last at least the profile's longest vend \(3600 s\)/,
    )
    const hub = { roleArn: 'acs:ram::1234567890123456:role/hub' }
    expect((await problems(config([hub, hub, hub]))).join('\n')).toMatch(/via/)
    expect(
      (await problems(config([{ roleArn: 'acs:ram::1234567890123456:user/bob' }]))).join('\n'),
    ).toMatch(/via\[0\]\.roleArn: a RAM role ARN/)
  })
})
