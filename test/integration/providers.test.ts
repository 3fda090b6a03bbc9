import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { serverChain } from '../../lib/credentials/default-chains.ts'
import { fromCliProfile } from '../../lib/credentials/providers/cli-profile.ts'
import { fromCredentialsUri } from '../../lib/credentials/providers/credentials-uri.ts'
import { fromEnv } from '../../lib/credentials/providers/env.ts'
import { fromIniFile } from '../../lib/credentials/providers/ini-file.ts'
import { fromInstanceMetadata } from '../../lib/credentials/providers/instance-metadata.ts'
import { fromOidcTokenFile } from '../../lib/credentials/providers/oidc-token-file.ts'
import type { ProfileDeps } from '../../lib/credentials/providers/profile-deps.ts'
import { listenLoopback } from '../../functions/node/cli/local/local-emulator.ts'
import { createImdsEmulator } from '../../lib/emulator/imds.ts'
import { startProviderWorld, type ProviderWorld } from '../helpers/provider-world.ts'

let w: ProviderWorld
beforeAll(async () => {
  w = await startProviderWorld()
})
afterAll(() => w?.close())

const vendor = () => w.emulator.demo.vendor
const profileDeps = (env: Record<string, string | undefined> = {}): ProfileDeps => ({
  ...w.deps(env),
  instanceRole: (roleName) =>
    fromInstanceMetadata({
      env: { ALIBABA_CLOUD_ECS_METADATA: roleName },
      fetch,
      endpoint: w.imdsEndpoint,
    }),
  runProcess: async (command) => {
    if (command !== 'print-creds') throw new Error('exit 1')
    return JSON.stringify({
      mode: 'AK',
      access_key_id: vendor().accessKeyId,
      access_key_secret: vendor().accessKeySecret,
    })
  },
})
const codeOf = (p: Promise<unknown>) =>
  p.then(
    () => 'ok',
    (e: { code?: string }) => e.code,
  )
/** Proves credentials are real: the emulator's STS recognises them. */
const whoAmI = async (c: {
  accessKeyId: string
  accessKeySecret: string
  securityToken?: string
}) => (await w.sts.getCallerIdentity({ ...c, source: 'check' })).arn

describe('env', () => {
  it('not configured / misconfigured / success', async () => {
    expect(await codeOf(fromEnv({})())).toBe('ERR_PROVIDER_NOT_CONFIGURED')
    expect(await codeOf(fromEnv({ ALIBABA_CLOUD_ACCESS_KEY_ID: 'LTAI5t' })())).toBe(
      'ERR_PROVIDER_MISCONFIGURED',
    )
    const c = await fromEnv({
      ALIBABA_CLOUD_ACCESS_KEY_ID: vendor().accessKeyId,
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: vendor().accessKeySecret,
    })()
    expect(await whoAmI(c)).toMatch(/:user\/credvend$/)
  })
})

describe('OIDC token file (RRSA)', () => {
  const env = () => ({
    ALIBABA_CLOUD_ROLE_ARN: w.oidcRole.arn,
    ALIBABA_CLOUD_OIDC_PROVIDER_ARN: w.provider.arn,
    ALIBABA_CLOUD_OIDC_TOKEN_FILE: w.tokenFile,
  })
  it('not configured / misconfigured (partial, unreadable file) / success through unsigned AssumeRoleWithOIDC', async () => {
    expect(await codeOf(fromOidcTokenFile(w.deps())())).toBe('ERR_PROVIDER_NOT_CONFIGURED')
    expect(
      await codeOf(fromOidcTokenFile(w.deps({ ALIBABA_CLOUD_ROLE_ARN: w.oidcRole.arn }))()),
    ).toBe('ERR_PROVIDER_MISCONFIGURED')
    expect(
      await codeOf(
        fromOidcTokenFile(w.deps({ ...env(), ALIBABA_CLOUD_OIDC_TOKEN_FILE: '/nonexistent' }))(),
      ),
    ).toBe('ERR_PROVIDER_MISCONFIGURED')
    const c = await fromOidcTokenFile(w.deps(env()))()
    expect(c.source).toBe('oidc')
    expect(await whoAmI(c)).toContain('assumed-role/rrsa-vendor/')
  })
})

describe('credentials URI', () => {
  it('not configured / refused (plain HTTP off loopback, HTTP error) / success', async () => {
    expect(await codeOf(fromCredentialsUri({ env: {}, fetch })())).toBe(
      'ERR_PROVIDER_NOT_CONFIGURED',
    )
    expect(
      await codeOf(
        fromCredentialsUri({
          env: { ALIBABA_CLOUD_CREDENTIALS_URI: 'http://credentials.example.com/' },
          fetch,
        })(),
      ),
    ).toBe('ERR_PROVIDER_MISCONFIGURED')
    const issued = await w.sts.assumeRole(
      { ...vendor(), source: 't' },
      { roleArn: w.hop1.arn, roleSessionName: 'uri' },
    )
    const server = await listenLoopback(
      (r) =>
        new URL(r.url).pathname === '/ok'
          ? Response.json({
              Code: 'Success',
              AccessKeyId: issued.credentials.accessKeyId,
              AccessKeySecret: issued.credentials.accessKeySecret,
              SecurityToken: issued.credentials.securityToken,
              Expiration: issued.credentials.expiration.toISOString().replace(/\.\d+Z$/, 'Z'),
            })
          : new Response('no', { status: 500 }),
      0,
    )
    try {
      expect(
        await codeOf(
          fromCredentialsUri({
            env: { ALIBABA_CLOUD_CREDENTIALS_URI: `http://127.0.0.1:${server.port}/fail` },
            fetch,
          })(),
        ),
      ).toBe('ERR_PROVIDER_MISCONFIGURED')
      const c = await fromCredentialsUri({
        env: { ALIBABA_CLOUD_CREDENTIALS_URI: `http://127.0.0.1:${server.port}/ok` },
        fetch,
      })()
      expect(await whoAmI(c)).toContain('assumed-role/hop-1/uri')
    } finally {
      await server.close()
    }
  })
})

describe('ECS instance RAM role (IMDS emulator)', () => {
  it('not configured (disabled, unreachable) / success with an IMDSv2 token', async () => {
    expect(
      await codeOf(
        fromInstanceMetadata({
          env: { ALIBABA_CLOUD_ECS_METADATA_DISABLED: 'true' },
          fetch,
          endpoint: w.imdsEndpoint,
        })(),
      ),
    ).toBe('ERR_PROVIDER_NOT_CONFIGURED')
    const closed = await listenLoopback(() => new Response('x'), 0)
    await closed.close()
    expect(
      await codeOf(
        fromInstanceMetadata({ env: {}, fetch, endpoint: `http://127.0.0.1:${closed.port}` })(),
      ),
    ).toBe('ERR_PROVIDER_NOT_CONFIGURED')
    const tokensBefore = w.imds.calls.token
    const c = await fromInstanceMetadata({ env: {}, fetch, endpoint: w.imdsEndpoint })()
    expect(w.imds.calls.token).toBe(tokensBefore + 1)
    expect(await whoAmI(c)).toContain('assumed-role/ecs-vendor/')
  })

  it('falls back to IMDSv1 only when allowed; a hardened (v2-only) service refuses tokenless calls', async () => {
    const deps = {
      now: w.emulator.now,
      randomBytes: (n: number) => crypto.getRandomValues(new Uint8Array(n)),
    }
    const v1Only = await listenLoopback(
      createImdsEmulator(w.world, deps, { role: w.instanceRole, noTokenEndpoint: true }).app.fetch,
      0,
    )
    const hardened = createImdsEmulator(w.world, deps, { role: w.instanceRole, requireToken: true })
    const hardenedServer = await listenLoopback(hardened.app.fetch, 0)
    try {
      const at = (port: number, env: Record<string, string> = {}) =>
        fromInstanceMetadata({ env, fetch, endpoint: `http://127.0.0.1:${port}` })()
      expect(await whoAmI(await at(v1Only.port))).toContain('assumed-role/ecs-vendor/')
      expect(
        await codeOf(
          at(v1Only.port, {
            ALIBABA_CLOUD_IMDSV1_DISABLED: 'true',
            ALIBABA_CLOUD_ECS_METADATA: 'ecs-vendor',
          }),
        ),
      ).toBe('ERR_PROVIDER_MISCONFIGURED')
      expect(await whoAmI(await at(hardenedServer.port))).toContain('assumed-role/ecs-vendor/')
      const refused = await fetch(
        `http://127.0.0.1:${hardenedServer.port}/latest/meta-data/ram/security-credentials/`,
      )
      expect(refused.status).toBe(401)
      const token = await (
        await fetch(`http://127.0.0.1:${hardenedServer.port}/latest/api/token`, {
          method: 'PUT',
          headers: { 'x-aliyun-ecs-metadata-token-ttl-seconds': '1' },
        })
      ).text()
      w.emulator.clock.shift(2000)
      const expired = await fetch(
        `http://127.0.0.1:${hardenedServer.port}/latest/meta-data/ram/security-credentials/`,
        { headers: { 'x-aliyun-ecs-metadata-token': token } },
      )
      expect(expired.status).toBe(401)
    } finally {
      w.emulator.clock.reset()
      await v1Only.close()
      await hardenedServer.close()
    }
  })

  it('a configured role name that does not exist is a misconfiguration', async () => {
    expect(
      await codeOf(
        fromInstanceMetadata({
          env: { ALIBABA_CLOUD_ECS_METADATA: 'no-such-role' },
          fetch,
          endpoint: w.imdsEndpoint,
        })(),
      ),
    ).toBe('ERR_PROVIDER_MISCONFIGURED')
  })
})

describe('INI credentials file', () => {
  it('not configured / misconfigured / access_key, ram_role_arn and oidc_role_arn profiles', async () => {
    expect(await codeOf(fromIniFile(profileDeps())())).toBe('ERR_PROVIDER_NOT_CONFIGURED')
    expect(
      await codeOf(
        fromIniFile(profileDeps({ ALIBABA_CLOUD_CREDENTIALS_FILE: '/nonexistent.ini' }))(),
      ),
    ).toBe('ERR_PROVIDER_MISCONFIGURED')
    const ini = w.write(
      'creds.ini',
      [
        '[default]',
        'enable = true',
        'type = access_key',
        `access_key_id = ${vendor().accessKeyId}`,
        `access_key_secret = ${vendor().accessKeySecret}`,
        '[role]',
        'type = ram_role_arn',
        `access_key_id = ${vendor().accessKeyId}`,
        `access_key_secret = ${vendor().accessKeySecret}`,
        `role_arn = ${w.hop1.arn}`,
        'role_session_name = ini-role',
        '[rrsa]',
        'type = oidc_role_arn',
        `role_arn = ${w.oidcRole.arn}`,
        `oidc_provider_arn = ${w.provider.arn}`,
        `oidc_token_file_path = ${w.tokenFile}`,
        'role_session_name = ini-oidc',
        '[retired]',
        'type = rsa_key_pair',
        'public_key_id = x',
        'private_key_file = /x',
        '[off]',
        'enable = false',
        'type = access_key',
      ].join('\n'),
    )
    const at = (profile?: string) =>
      fromIniFile(
        profileDeps({
          ALIBABA_CLOUD_CREDENTIALS_FILE: ini,
          ...(profile ? { ALIBABA_CLOUD_PROFILE: profile } : {}),
        }),
      )()
    expect(await whoAmI(await at())).toMatch(/:user\/credvend$/)
    expect(await whoAmI(await at('role'))).toContain('assumed-role/hop-1/ini-role')
    expect(await whoAmI(await at('rrsa'))).toContain('assumed-role/rrsa-vendor/ini-oidc')
    expect(await codeOf(at('retired'))).toBe('ERR_PROVIDER_MISCONFIGURED')
    expect(await codeOf(at('off'))).toBe('ERR_PROVIDER_NOT_CONFIGURED')
  })
})

describe('CLI config.json', () => {
  const cli = () =>
    w.write(
      'config.json',
      JSON.stringify({
        current: 'ak',
        profiles: [
          {
            name: 'ak',
            mode: 'AK',
            access_key_id: vendor().accessKeyId,
            access_key_secret: vendor().accessKeySecret,
          },
          {
            name: 'role',
            mode: 'RamRoleArn',
            access_key_id: vendor().accessKeyId,
            access_key_secret: vendor().accessKeySecret,
            ram_role_arn: w.hop1.arn,
            ram_session_name: 'cli-role',
          },
          {
            name: 'chain2',
            mode: 'ChainableRamRoleArn',
            source_profile: 'role',
            ram_role_arn: w.hop2.arn,
            ram_session_name: 'cli-hop2',
            expired_seconds: 900,
          },
          { name: 'ecs', mode: 'EcsRamRole', ram_role_name: 'ecs-vendor' },
          {
            name: 'oidc',
            mode: 'OIDC',
            ram_role_arn: w.oidcRole.arn,
            oidc_provider_arn: w.provider.arn,
            oidc_token_file: w.tokenFile,
            ram_session_name: 'cli-oidc',
          },
          { name: 'ext', mode: 'External', process_command: 'print-creds' },
          { name: 'ext-bad', mode: 'External', process_command: 'false' },
          {
            name: 'loop-a',
            mode: 'ChainableRamRoleArn',
            source_profile: 'loop-b',
            ram_role_arn: w.hop1.arn,
          },
          {
            name: 'loop-b',
            mode: 'ChainableRamRoleArn',
            source_profile: 'loop-a',
            ram_role_arn: w.hop1.arn,
          },
          { name: 'sso', mode: 'CloudSSO' },
        ],
      }),
    )
  const at = (profile?: string) =>
    fromCliProfile(
      profileDeps({
        ALIBABA_CLOUD_CONFIG_FILE: cli(),
        ...(profile ? { ALIBABA_CLOUD_PROFILE: profile } : {}),
      }),
    )()

  it('not configured without a file or when disabled', async () => {
    expect(await codeOf(fromCliProfile(profileDeps())())).toBe('ERR_PROVIDER_NOT_CONFIGURED')
    expect(
      await codeOf(
        fromCliProfile(
          profileDeps({
            ALIBABA_CLOUD_CONFIG_FILE: cli(),
            ALIBABA_CLOUD_CLI_PROFILE_DISABLED: 'true',
          }),
        )(),
      ),
    ).toBe('ERR_PROVIDER_NOT_CONFIGURED')
  })

  it('AK (current), RamRoleArn, EcsRamRole, OIDC and External modes', async () => {
    expect(await whoAmI(await at())).toMatch(/:user\/credvend$/)
    expect(await whoAmI(await at('role'))).toContain('assumed-role/hop-1/cli-role')
    expect(await whoAmI(await at('ecs'))).toContain('assumed-role/ecs-vendor/')
    expect(await whoAmI(await at('oidc'))).toContain('assumed-role/rrsa-vendor/cli-oidc')
    expect((await at('ext')).source).toBe('cli-profile:ext')
  })

  it('an EcsRamRole profile with metadata disabled stops the chain instead of falling through', async () => {
    const deps = profileDeps({
      ALIBABA_CLOUD_CONFIG_FILE: cli(),
      ALIBABA_CLOUD_PROFILE: 'ecs',
      ALIBABA_CLOUD_ECS_METADATA_DISABLED: 'true',
    })
    const disabledImds = {
      ...deps,
      instanceRole: (roleName: string) =>
        fromInstanceMetadata({
          env: {
            ALIBABA_CLOUD_ECS_METADATA: roleName,
            ALIBABA_CLOUD_ECS_METADATA_DISABLED: 'true',
          },
          fetch,
          endpoint: w.imdsEndpoint,
        }),
    }
    expect(await codeOf(fromCliProfile(disabledImds)())).toBe('ERR_PROVIDER_MISCONFIGURED')
  })

  it('ChainableRamRoleArn two roles deep; cycles and unsupported modes stop the chain', async () => {
    const c = await at('chain2')
    expect(await whoAmI(c)).toContain('assumed-role/hop-2/cli-hop2')
    expect(await codeOf(at('loop-a'))).toBe('ERR_PROVIDER_MISCONFIGURED')
    expect(await codeOf(at('sso'))).toBe('ERR_PROVIDER_MISCONFIGURED')
    expect(await codeOf(at('ext-bad'))).toBe('ERR_PROVIDER_MISCONFIGURED')
  })
})

describe('the server chain', () => {
  it('a two-deep chained role keeps working after its source credentials expire (injected clock)', async () => {
    mkdirSync(join(w.home, '.aliyun'), { recursive: true })
    const env = {
      ALIBABA_CLOUD_CONFIG_FILE: cli2(),
      ALIBABA_CLOUD_PROFILE: 'chain2',
      ALIBABA_CLOUD_ECS_METADATA_DISABLED: 'true',
    }
    const source = serverChain(w.deps(env))
    const first = await source()
    expect(first.expiration!.getTime() - w.emulator.now().getTime()).toBeLessThanOrEqual(900_000)
    w.emulator.clock.shift(2 * 3600_000) // every session minted so far has expired
    try {
      const later = await source()
      expect(later.accessKeyId).not.toBe(first.accessKeyId)
      expect(await w.sts.getCallerIdentity({ ...later })).toMatchObject({
        arn: expect.stringContaining('assumed-role/hop-2/'),
      })
    } finally {
      w.emulator.clock.reset()
    }
  })

  it('100 concurrent first uses → one upstream call per link', async () => {
    const env = {
      ALIBABA_CLOUD_CONFIG_FILE: cli2(),
      ALIBABA_CLOUD_PROFILE: 'chain2',
      ALIBABA_CLOUD_ECS_METADATA_DISABLED: 'true',
    }
    const before = w.emulator.calls.byAction.get('AssumeRole') ?? 0
    const source = serverChain(w.deps(env))
    const all = await Promise.all(Array.from({ length: 100 }, () => source()))
    expect(new Set(all.map((c) => c.accessKeyId)).size).toBe(1)
    expect((w.emulator.calls.byAction.get('AssumeRole') ?? 0) - before).toBe(2)
  })

  it('takes FC context credentials first, per invocation', async () => {
    const source = serverChain(
      w.deps({ ALIBABA_CLOUD_ACCESS_KEY_ID: 'LTAI5tEnv', ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'x' }),
    )
    const fc = { accessKeyId: 'STS.fc', accessKeySecret: 's', securityToken: 't', source: 'fc' }
    expect((await source({ fcCredentials: fc })).source).toBe('fc-context')
    expect((await source()).source).toBe('env')
  })

  const cli2 = () =>
    w.write(
      'chain.json',
      JSON.stringify({
        current: 'chain2',
        profiles: [
          {
            name: 'role',
            mode: 'RamRoleArn',
            access_key_id: vendor().accessKeyId,
            access_key_secret: vendor().accessKeySecret,
            ram_role_arn: w.hop1.arn,
            ram_session_name: 'c-role',
            expired_seconds: 900,
          },
          {
            name: 'chain2',
            mode: 'ChainableRamRoleArn',
            source_profile: 'role',
            ram_role_arn: w.hop2.arn,
            ram_session_name: 'c-hop2',
            expired_seconds: 3600,
          },
        ],
      }),
    )
})
