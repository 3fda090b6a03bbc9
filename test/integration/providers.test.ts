import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
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
      // Both spellings of the switch, in any letter case (instance-metadata.ts says where each is from).
      for (const v1Off of [
        { ALIBABA_CLOUD_IMDSV1_DISABLED: 'true' },
        { ALIBABA_CLOUD_IMDSV1_DISABLED: 'TRUE' },
        { ALIBABA_CLOUD_IMDSV1_DISABLE: 'true' },
      ])
        expect(
          await codeOf(at(v1Only.port, { ...v1Off, ALIBABA_CLOUD_ECS_METADATA: 'ecs-vendor' })),
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
    // A file the official parser throws on (a key that reads as JSON null) is there, and broken.
    const unparseable = w.write(
      'null-key.ini',
      `[default]\ntype = access_key\naccess_key_id = ${vendor().accessKeyId}\naccess_key_secret = ${vendor().accessKeySecret}\n'null'\n`,
    )
    expect(
      await codeOf(fromIniFile(profileDeps({ ALIBABA_CLOUD_CREDENTIALS_FILE: unparseable }))()),
    ).toBe('ERR_PROVIDER_MISCONFIGURED')
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

describe('CLI config.json: CloudSSO, OAuth and CredentialsURI modes', () => {
  type Server = { port: number; close: () => Promise<void> }
  let portal: Server
  let origin = ''
  const seen: Array<{ path: string; authorization: string | null; body: string }> = []
  let issued: {
    accessKeyId: string
    accessKeySecret: string
    securityToken: string
    expiration: Date
  }
  let cached: typeof issued
  let answer: 'ok' | 'refuse' | 'no-code' = 'ok'
  beforeAll(async () => {
    const session = async (name: string) =>
      (
        await w.sts.assumeRole(
          { ...vendor(), source: 't' },
          { roleArn: w.hop1.arn, roleSessionName: name },
        )
      ).credentials
    issued = await session('exchanged')
    cached = await session('cached')
    const reply = {
      AccessKeyId: issued.accessKeyId,
      AccessKeySecret: issued.accessKeySecret,
      SecurityToken: issued.securityToken,
      Expiration: issued.expiration.toISOString().replace(/\.\d+Z$/, 'Z'),
    }
    portal = await listenLoopback(async (r) => {
      const path = new URL(r.url).pathname
      seen.push({ path, authorization: r.headers.get('authorization'), body: await r.text() })
      if (answer === 'refuse') return new Response('expired', { status: 401 })
      if (path === '/cloud-credentials') return Response.json({ CloudCredential: reply })
      if (path === '/v1/exchange')
        return Response.json({
          accessKeyId: reply.AccessKeyId,
          accessKeySecret: reply.AccessKeySecret,
          securityToken: reply.SecurityToken,
          expiration: reply.Expiration,
        })
      return Response.json(answer === 'no-code' ? reply : { Code: 'Success', ...reply })
    }, 0)
    origin = `http://127.0.0.1:${portal.port}`
  })
  afterAll(() => portal?.close())

  const nowSeconds = () => Math.floor(w.emulator.now().getTime() / 1000)
  const cache = (secondsLeft: number) => ({
    access_key_id: cached.accessKeyId,
    access_key_secret: cached.accessKeySecret,
    sts_token: cached.securityToken,
    sts_expiration: nowSeconds() + secondsLeft,
  })
  const sso = (extra: object = {}) => ({
    name: 'sso',
    mode: 'CloudSSO',
    cloud_sso_sign_in_url: `${origin}/device/login`,
    cloud_sso_account_id: '1234567890123456',
    cloud_sso_access_config: 'ac-1',
    access_token: 'sso-token-never-shown',
    cloud_sso_access_token_expire: nowSeconds() + 3600,
    ...extra,
  })
  const oauth = (extra: object = {}) => ({
    name: 'oa',
    mode: 'OAuth',
    oauth_site_type: 'INTL',
    oauth_access_token: 'oauth-token-never-shown',
    oauth_access_token_expire: nowSeconds() + 3600,
    oauth_refresh_token: 'refresh-token-never-spent',
    ...extra,
  })
  /** Resolves one profile; the OAuth service's constant origin is served by the portal above. */
  const resolve = async (
    profile: Readonly<Record<string, unknown>> & { name: string },
    env: Record<string, string> = {},
  ) => {
    const file = w.write(
      'modes.json',
      JSON.stringify({ current: profile.name, profiles: [profile] }),
    )
    seen.length = 0
    return fromCliProfile({
      ...profileDeps({ ALIBABA_CLOUD_CONFIG_FILE: file, ...env }),
      fetch: (input, init) =>
        fetch(String(input).replace(/^https:\/\/oauth\.alibabacloud\.com/, origin), init),
    })()
  }
  const failure = (p: Promise<unknown>) =>
    p.then(
      () => 'resolved',
      (e: { code?: string; message: string }) => `${e.code}: ${e.message}`,
    )
  afterEach(() => {
    answer = 'ok'
  })

  it('CloudSSO: cached STS credentials while they last more than 15 minutes, no request', async () => {
    const stored = cache(3600)
    const c = await resolve(sso(stored))
    expect(c.accessKeyId).toBe(cached.accessKeyId)
    expect(c.expiration?.getTime()).toBe(stored.sts_expiration * 1000)
    expect(seen).toEqual([])
  })

  it('CloudSSO: otherwise the portal, with the bearer token, account and access configuration', async () => {
    for (const profile of [sso(), sso(cache(600))]) {
      const c = await resolve(profile)
      expect(await whoAmI(c)).toContain('assumed-role/hop-1/exchanged')
      expect(seen).toEqual([
        {
          path: '/cloud-credentials',
          authorization: 'Bearer sso-token-never-shown',
          body: JSON.stringify({ AccountId: '1234567890123456', AccessConfigurationId: 'ac-1' }),
        },
      ])
    }
  })

  it('CloudSSO: a login that is missing, expired or refused stops the chain with the command that logs in again', async () => {
    const relogin = 'aliyun configure --profile sso --mode CloudSSO'
    const cases = [
      sso({ access_token: undefined }),
      sso({ cloud_sso_access_token_expire: nowSeconds() - 1, ...cache(3600) }),
    ]
    for (const profile of cases) {
      const message = await failure(resolve(profile))
      expect(message).toMatch(/^ERR_PROVIDER_MISCONFIGURED: cli-profile:sso: /)
      expect(message).toContain(relogin)
    }
    expect(seen).toEqual([])
    answer = 'refuse'
    const refused = await failure(resolve(sso()))
    expect(refused).toContain('refused the access token (HTTP 401)')
    expect(refused).toContain(relogin)
    expect(refused).not.toContain('sso-token-never-shown')
    expect(await failure(resolve(sso({ cloud_sso_account_id: undefined })))).toContain(
      `missing cloud_sso_account_id: set the profile up with \`${relogin}\``,
    )
  })

  it('CloudSSO: the bearer token never travels in the clear to a remote host', async () => {
    const message = await failure(
      resolve(sso({ cloud_sso_sign_in_url: 'http://signin.example.com/device/login' })),
    )
    expect(message).toContain('is not HTTPS')
    expect(seen).toEqual([])
  })

  it('OAuth: the cached credentials, else an exchange while the access token lasts; the refresh token is never spent', async () => {
    expect((await resolve(oauth(cache(3600)))).accessKeyId).toBe(cached.accessKeyId)
    expect(seen).toEqual([])
    const c = await resolve(oauth())
    expect(await whoAmI(c)).toContain('assumed-role/hop-1/exchanged')
    expect(seen).toEqual([
      { path: '/v1/exchange', authorization: 'Bearer oauth-token-never-shown', body: '' },
    ])
    const expiredToken = { oauth_access_token_expire: nowSeconds() - 1 }
    expect((await resolve(oauth({ ...expiredToken, ...cache(300) }))).accessKeyId).toBe(
      cached.accessKeyId,
    )
    const message = await failure(resolve(oauth(expiredToken)))
    expect(message).toContain('run any aliyun command with --profile oa to refresh them')
    expect(message).toContain('aliyun configure --mode OAuth --oauth-site-type INTL --profile oa')
    expect(seen.map((r) => r.path)).not.toContain('/v1/token')
    expect(await failure(resolve(oauth({ oauth_site_type: 'EU' })))).toContain(
      'oauth_site_type is not CN or INTL',
    )
  })

  it('CredentialsURI: the profile URI, else ALIBABA_CLOUD_CREDENTIALS_URI; "Code": "Success" required, as the CLI does', async () => {
    const profile = { name: 'u', mode: 'CredentialsURI', credentials_uri: `${origin}/creds` }
    expect(await whoAmI(await resolve(profile))).toContain('assumed-role/hop-1/exchanged')
    const { credentials_uri: _, ...bare } = profile
    expect((await resolve(bare, { ALIBABA_CLOUD_CREDENTIALS_URI: `${origin}/env` })).source).toBe(
      'cli-profile:u',
    )
    expect(seen.map((r) => r.path)).toEqual(['/env'])
    expect(await failure(resolve(bare))).toContain('missing credentials_uri')
    answer = 'no-code'
    expect(await failure(resolve(profile))).toContain('the reply has no "Code": "Success"')
    const remote = await failure(
      resolve({ ...profile, credentials_uri: 'http://creds.example.com/s3cr3t' }),
    )
    expect(remote).toContain('the URI must be HTTPS, or HTTP to loopback')
    expect(remote).not.toContain('s3cr3t')
  })
})

describe('CLI config.json: external_id and sts_region', () => {
  const role = (extra: object) => ({
    name: 'r',
    mode: 'RamRoleArn',
    access_key_id: vendor().accessKeyId,
    access_key_secret: vendor().accessKeySecret,
    ram_role_arn: w.emulator.demo.partnerRole.arn,
    ram_session_name: 'partner',
    ...extra,
  })
  const resolve = (profiles: object[], current: string, extra: Partial<ProfileDeps> = {}) =>
    fromCliProfile({
      ...profileDeps({
        ALIBABA_CLOUD_CONFIG_FILE: w.write('roles.json', JSON.stringify({ current, profiles })),
      }),
      ...extra,
    })()

  it('sends external_id on AssumeRole, for RamRoleArn and ChainableRamRoleArn', async () => {
    const externalId = w.emulator.demo.externalId
    expect(await codeOf(resolve([role({})], 'r'))).toBe('ERR_PROVIDER_MISCONFIGURED')
    expect(await whoAmI(await resolve([role({ external_id: externalId })], 'r'))).toContain(
      'assumed-role/credvend-partner-demo/partner',
    )
    const viaHub = [
      role({ name: 'hub', ram_role_arn: w.emulator.demo.hubRole.arn, ram_session_name: 'hub' }),
      {
        name: 'partner',
        mode: 'ChainableRamRoleArn',
        source_profile: 'hub',
        ram_role_arn: w.emulator.demo.partnerChainRole.arn,
        ram_session_name: 'via-hub',
        external_id: externalId,
      },
    ]
    expect(await whoAmI(await resolve(viaHub, 'partner'))).toContain(
      'assumed-role/credvend-partner-via-hub/via-hub',
    )
  })

  it('sts_region picks the regional endpoint (sts-vpc with enable_vpc), and nothing but a region id', async () => {
    const asked: string[] = []
    const regionalSts = (endpoint: string) => (asked.push(endpoint), w.sts)
    const hop = { ram_role_arn: w.hop1.arn, ram_session_name: 'regional' }
    await resolve([role({ ...hop, sts_region: 'cn-shanghai' })], 'r', { regionalSts })
    await resolve([role({ ...hop, sts_region: 'ap-southeast-1', enable_vpc: true })], 'r', {
      regionalSts,
    })
    expect(asked).toEqual([
      'https://sts.cn-shanghai.aliyuncs.com',
      'https://sts-vpc.ap-southeast-1.aliyuncs.com',
    ])
    expect(
      await codeOf(
        resolve([role({ ...hop, sts_region: 'evil.example.com/x' })], 'r', { regionalSts }),
      ),
    ).toBe('ERR_PROVIDER_MISCONFIGURED')
    expect(await codeOf(resolve([role({ ...hop, sts_region: 'cn-shanghai' })], 'r'))).toBe(
      'ERR_PROVIDER_MISCONFIGURED',
    )
    expect(asked).toHaveLength(2)
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
