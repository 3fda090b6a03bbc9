import { describe, expect, it } from 'vitest'
import { configSchema, type ConfigInput } from '../../../lib/config/schema.ts'
import { usedClaims } from '../../../lib/config/used-claims.ts'

const ROLE = 'acs:ram::1234567890123456:role/app'

const config = (profiles: ConfigInput['profiles']) =>
  configSchema.parse({
    region: 'cn-hangzhou',
    sts: { endpoint: 'http://127.0.0.1:9/' },
    kms: { endpoint: 'http://127.0.0.1:9/' },
    callers: {
      jwt: [
        {
          id: 'web',
          issuer: 'https://login.example.com',
          audience: 'credvend',
          jwks: { keys: [] },
        },
      ],
      apiKeys: [{ id: 'erp', sha256: ['0'.repeat(64)] }],
    },
    profiles,
  } satisfies ConfigInput)

describe('usedClaims', () => {
  it('collects rule claims and template variables from every profile', () => {
    const used = usedClaims(
      config({
        a: {
          kind: 'sts',
          allow: [{ jwt: 'web', claims: { tenant: 'acme', groups: 'admins' } }, { apiKey: 'erp' }],
          roleArn: ROLE,
          variables: { 'claims.team': {} },
        },
        b: {
          kind: 'sts',
          allow: [{ jwt: 'web', sub: 'alice', claims: { tenant: 'other' } }],
          roleArn: ROLE,
          variables: { 'claims.region_code': {} },
          disabled: true,
        },
        keys: {
          kind: 'access-key',
          allow: [{ jwt: 'web', claims: { ops: 'yes' } }],
          secretName: 's',
        },
      }),
    )
    expect([...used].sort()).toEqual(['groups', 'ops', 'region_code', 'team', 'tenant'])
  })

  it('is empty when nothing reads a claim', () => {
    const used = usedClaims(
      config({ a: { kind: 'sts', allow: [{ jwt: 'web' }, { apiKey: 'erp' }], roleArn: ROLE } }),
    )
    expect(used.size).toBe(0)
  })
})
