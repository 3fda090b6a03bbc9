import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startAgent } from '../../functions/node/cli/agent.ts'
import { prepareCliUriProfiles } from '../../functions/node/cli/cli-uri-profiles.ts'
import { fromCliProfile } from '../../lib/credentials/providers/cli-profile.ts'
import type { ProfileDeps } from '../../lib/credentials/providers/profile-deps.ts'
import { startServedVendHarness } from '../helpers/served-vend-harness.ts'
import type { VendHarness } from '../helpers/vend-harness.ts'

// The official package, called for real. Its CLI-profile provider has no CredentialsURI mode
// (test/integration/official-chain-parity.test.ts), so it is given the profile's URI through its
// credentials-URI provider: the one GET the aliyun CLI makes for that mode (config/profile.go).
const require = createRequire(import.meta.url)
const { default: Credential, Config } = require('@alicloud/credentials') as {
  default: new (config: unknown) => {
    getCredential(): Promise<{
      accessKeyId: string
      accessKeySecret: string
      securityToken: string
    }>
  }
  Config: new (c: Record<string, unknown>) => unknown
}

let h: VendHarness
let served: Awaited<ReturnType<typeof startServedVendHarness>>
let url: string

beforeAll(async () => {
  served = await startServedVendHarness()
  ;({ h, url } = served)
})
afterAll(async () => {
  await served?.close()
})

type Profile = Record<string, unknown> & { name: string }
const profilesIn = (file: string) =>
  JSON.parse(readFileSync(file, 'utf8')) as { current: string; profiles: Profile[] }

/** What each `aliyun` command does afresh: read the file, GET the profile's URI. */
const officialRead = async (file: string, name: string) => {
  const profile = profilesIn(file).profiles.find((p) => p.name === name)!
  expect(profile.mode).toBe('CredentialsURI')
  return new Credential(
    new Config({ type: 'credentials_uri', credentialsURI: profile.credentials_uri }),
  ).getCredential()
}

/** credvend's own reader of the aliyun CLI's file, in its CredentialsURI mode. */
const ownRead = (file: string, name: string) => {
  const deps: ProfileDeps = {
    env: { ALIBABA_CLOUD_CONFIG_FILE: file, ALIBABA_CLOUD_PROFILE: name },
    readFile: (path) => readFile(path, 'utf8').catch(() => undefined),
    homeDir: tmpdir(),
    sts: undefined as never, // a CredentialsURI profile calls no STS
    now: h.emulator.now,
    instanceRole: () => () => Promise.reject(new Error('no instance role here')),
    fetch,
  }
  return fromCliProfile(deps)()
}

describe('agent --cli-config: a refreshing aliyun CLI profile', () => {
  it('is read through the agent by the official package and by credvend, and keeps working after the first credentials expire', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'credvend-cli-uri-'))
    const file = join(dir, '.aliyun', 'config.json')
    const agent = await startAgent({
      url,
      profiles: ['svc'],
      bearer: async () => h.acmeKey,
      now: h.emulator.now,
    })
    try {
      await (await prepareCliUriProfiles(file, 'cn-shanghai')).write(agent.uris)
      expect(statSync(file).mode & 0o777).toBe(0o600)
      expect(profilesIn(file)).toMatchObject({
        current: 'svc',
        profiles: [
          {
            name: 'svc',
            mode: 'CredentialsURI',
            credentials_uri: agent.uris.get('svc'),
            region_id: 'cn-shanghai',
          },
        ],
      })

      const first = await officialRead(file, 'svc')
      const firstSession = h.emulator.world.findSession(first.accessKeyId)!
      expect(firstSession.accessKeySecret).toBe(first.accessKeySecret)
      expect((await ownRead(file, 'svc')).accessKeyId).toBe(first.accessKeyId)

      // An hour and a minute on, for the agent and STS alike: the first set is dead.
      h.emulator.clock.shift(61 * 60 * 1000)
      expect(firstSession.expiresAt.getTime()).toBeLessThanOrEqual(h.emulator.now().getTime())

      const second = await officialRead(file, 'svc')
      expect(second.accessKeyId).not.toBe(first.accessKeyId)
      const secondSession = h.emulator.world.findSession(second.accessKeyId)!
      expect(secondSession.accessKeySecret).toBe(second.accessKeySecret)
      expect(secondSession.securityToken).toBe(second.securityToken)
      expect(secondSession.expiresAt.getTime()).toBeGreaterThan(h.emulator.now().getTime())
      const own = await ownRead(file, 'svc')
      expect([own.accessKeyId, own.securityToken]).toEqual([
        second.accessKeyId,
        second.securityToken,
      ])
      expect(agent.stores.get('svc')!.stats().fetches).toBe(2)
      // The file never changed: the URI is all it holds, and no credential.
      const text = readFileSync(file, 'utf8')
      for (const secret of [first.accessKeySecret, first.securityToken, second.securityToken])
        expect(text).not.toContain(secret)
    } finally {
      h.emulator.clock.reset()
      await agent.close()
    }
  })

  it('merges into an existing file: other profiles and current stay, a same-named profile keeps its settings and loses its keys', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'credvend-cli-uri-merge-'))
    const file = join(dir, 'config.json')
    const other = { name: 'other', mode: 'AK', access_key_id: 'LTAIother', access_key_secret: 's' }
    writeFileSync(
      file,
      JSON.stringify({
        current: 'other',
        profiles: [
          other,
          {
            name: 'svc',
            mode: 'StsToken',
            access_key_id: 'STS.old',
            access_key_secret: 'old-secret',
            sts_token: 'old-token',
            region_id: 'eu-central-1',
            language: 'zh',
          },
        ],
        meta_path: '/m',
      }),
      { mode: 0o644 },
    )
    const writer = await prepareCliUriProfiles(file, 'cn-hangzhou')
    await writer.write(new Map([['svc', 'http://127.0.0.1:1/secret/svc']]))
    expect(statSync(file).mode & 0o777).toBe(0o600)
    expect(profilesIn(file)).toEqual({
      current: 'other',
      profiles: [
        other,
        {
          name: 'svc',
          mode: 'CredentialsURI',
          credentials_uri: 'http://127.0.0.1:1/secret/svc',
          region_id: 'eu-central-1',
          output_format: 'json',
          language: 'zh',
        },
      ],
      meta_path: '/m',
    })
  })

  it('refuses a file that is not an aliyun CLI config, before anything is written', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'credvend-cli-uri-bad-'))
    const file = join(dir, 'config.json')
    writeFileSync(file, '{"profiles": "none"}')
    await expect(prepareCliUriProfiles(file, 'cn-hangzhou')).rejects.toThrow(
      /is not an aliyun CLI config file/,
    )
    expect(readFileSync(file, 'utf8')).toBe('{"profiles": "none"}')
  })
})
