import { describe, expect, it, vi } from 'vitest'
import { serverChain } from '../../../lib/credentials/default-chains.ts'
import { explainChain } from '../../../lib/credentials/explain-chain.ts'
import { maskAccessKeyId } from '../../../lib/credentials/mask-access-key-id.ts'
import type { CredentialProvider } from '../../../lib/credentials/provider.ts'
import { notConfigured, ProviderError } from '../../../lib/credentials/provider-error.ts'
import { fromInstanceMetadata } from '../../../lib/credentials/providers/instance-metadata.ts'
import type { StsClient } from '../../../lib/sts/client.ts'

const HOME = '/home/dev'
const KEY_ID = 'LTAI5tEnvKeyId0123456789'
const KEY_SECRET = 'env-secret-never-shown'
const CLI_KEY_ID = 'LTAI5tCliKeyId9876543210'
const CLI_SECRET = 'cli-secret-never-shown'
const NOW = new Date('2026-11-22T10:00:00Z')
const now = () => NOW

type Files = Record<string, string>
const readFrom = (files: Files) => async (path: string) => files[path]

const cliConfig = (current: string, ...profiles: object[]) => JSON.stringify({ current, profiles })
const akProfile = (name = 'default') => ({
  name,
  mode: 'AK',
  access_key_id: CLI_KEY_ID,
  access_key_secret: CLI_SECRET,
})
const CLI_PATH = `${HOME}/.aliyun/config.json`
const INI_PATH = `${HOME}/.alibabacloud/credentials`
const TOKEN_PATH = '/var/run/secrets/tokens/oidc-token'
const ROLE = 'acs:ram::1234567890123456:role/hop'
const envKeys = { ALIBABA_CLOUD_ACCESS_KEY_ID: KEY_ID, ALIBABA_CLOUD_ACCESS_KEY_SECRET: KEY_SECRET }
const oidcEnv = {
  ALIBABA_CLOUD_ROLE_ARN: ROLE,
  ALIBABA_CLOUD_OIDC_PROVIDER_ARN: 'acs:ram::1234567890123456:oidc-provider/ack',
  ALIBABA_CLOUD_OIDC_TOKEN_FILE: TOKEN_PATH,
}

/** Metadata that is never there, counted: the explanation must ask it only when the chain reaches it. */
const noMetadata = () =>
  vi.fn<CredentialProvider>(async () => {
    throw notConfigured('ecs-ram-role', 'no metadata service reachable')
  })

const explain = (
  env: Record<string, string>,
  files: Files = {},
  imds: CredentialProvider = noMetadata(),
) => explainChain({ env, homeDir: HOME, readFile: readFrom(files), now, instanceMetadata: imds })

describe('explainChain', () => {
  it('finds nothing on a bare host, after asking the metadata service once', async () => {
    const imds = noMetadata()
    const e = await explain({}, {}, imds)
    expect(e.winner).toBeUndefined()
    expect(e.stoppedAt).toBeUndefined()
    expect(e.sources.map((s) => [s.source, s.state])).toEqual([
      ['fc-context', 'absent'],
      ['env', 'absent'],
      ['oidc', 'absent'],
      ['cli-profile', 'absent'],
      ['ini-file', 'absent'],
      ['ecs-ram-role', 'absent'],
      ['credentials-uri', 'absent'],
    ])
    expect(imds).toHaveBeenCalledTimes(1)
    expect(e.sources.find((s) => s.source === 'cli-profile')?.detail).toContain(
      'looked for ~/.aliyun/config.json',
    )
  })

  it('says the environment AccessKey shadows the CLI profile, never probes metadata, and shows no secret', async () => {
    const imds = noMetadata()
    const e = await explain(envKeys, { [CLI_PATH]: cliConfig('default', akProfile()) }, imds)
    expect(e.winner?.source).toBe('env')
    expect(e.winner?.detail).toContain(maskAccessKeyId(KEY_ID))
    expect(e.shadowed.map((s) => s.message)).toEqual([
      "ALIBABA_CLOUD_ACCESS_KEY_ID is set, so your ~/.aliyun/config.json profile 'default' is never read",
    ])
    const cli = e.sources.find((s) => s.source === 'cli-profile')
    expect(cli?.state).toBe('present')
    expect(cli?.detail).toContain('(mode AK, its "current")')
    expect(e.sources.find((s) => s.source === 'ecs-ram-role')?.state).toBe('not-probed')
    expect(imds).not.toHaveBeenCalled()
    const text = JSON.stringify(e)
    for (const secret of [KEY_ID, KEY_SECRET, CLI_KEY_ID, CLI_SECRET])
      expect(text).not.toContain(secret)
  })

  it('reports switched-off sources as disabled, without asking the metadata service', async () => {
    const network = vi.fn<typeof fetch>(() => Promise.reject(new Error('no network here')))
    const imds = fromInstanceMetadata({
      env: { ALIBABA_CLOUD_ECS_METADATA_DISABLED: 'true' },
      fetch: network,
    })
    const e = await explain(
      { ALIBABA_CLOUD_CLI_PROFILE_DISABLED: 'true', ALIBABA_CLOUD_ECS_METADATA_DISABLED: 'true' },
      { [CLI_PATH]: cliConfig('default', akProfile()) },
      imds,
    )
    expect(e.sources.find((s) => s.source === 'cli-profile')?.state).toBe('disabled')
    expect(e.sources.find((s) => s.source === 'ecs-ram-role')?.state).toBe('disabled')
    expect(network).not.toHaveBeenCalled()
    expect(e.winner).toBeUndefined()
  })

  it('stops at a broken source and names what the official chain would use instead', async () => {
    const e = await explain(
      { ALIBABA_CLOUD_ACCESS_KEY_ID: KEY_ID },
      {
        [INI_PATH]: `[default]\ntype = access_key\naccess_key_id = ${CLI_KEY_ID}\naccess_key_secret = ${CLI_SECRET}\n`,
      },
    )
    expect(e.winner).toBeUndefined()
    expect(e.stoppedAt?.source).toBe('env')
    expect(e.stoppedAt?.detail).toBe(
      'ALIBABA_CLOUD_ACCESS_KEY_ID is set but ALIBABA_CLOUD_ACCESS_KEY_SECRET is not',
    )
    expect(e.officialInstead?.source).toBe('ini-file')
    expect(e.shadowed[0]?.message).toBe(
      "credvend stops at the broken env source, so your ~/.alibabacloud/credentials profile 'default' is never read",
    )
  })

  it('describes role profiles by the calls they would make, and runs no External command', async () => {
    const files = {
      [CLI_PATH]: cliConfig(
        'chained',
        { ...akProfile('base'), mode: 'RamRoleArn', ram_role_arn: ROLE },
        {
          name: 'chained',
          mode: 'ChainableRamRoleArn',
          source_profile: 'base',
          ram_role_arn: 'acs:ram::1234567890123456:role/second',
        },
        { name: 'ext', mode: 'External', process_command: 'echo never-run' },
      ),
    }
    const chained = await explain({}, files)
    expect(chained.winner?.detail).toBe(
      `~/.aliyun/config.json profile 'chained' (mode ChainableRamRoleArn, its "current"): AssumeRole ${ROLE} with key ${maskAccessKeyId(CLI_KEY_ID)}, then AssumeRole acs:ram::1234567890123456:role/second`,
    )
    const external = await explain({ ALIBABA_CLOUD_PROFILE: 'ext' }, files)
    expect(external.winner?.detail).toBe(
      "~/.aliyun/config.json profile 'ext' (mode External, named by ALIBABA_CLOUD_PROFILE): runs its process_command",
    )
    expect(JSON.stringify(external)).not.toContain('never-run')
  })

  it('notes the files the official SDKs would not read', async () => {
    const ini = await explain(
      {},
      {
        [`${INI_PATH}.ini`]: `[default]\ntype = access_key\naccess_key_id = a\naccess_key_secret = b`,
      },
    )
    expect(ini.winner?.detail).toMatch(
      /^~\/\.alibabacloud\/credentials\.ini profile 'default': .*; the official SDKs do not read the \.ini file$/,
    )
    const cli = await explain(
      { ALIBABA_CLOUD_CONFIG_FILE: '/etc/aliyun.json' },
      { '/etc/aliyun.json': cliConfig('default', akProfile()) },
    )
    expect(cli.winner?.detail).toMatch(
      /^\/etc\/aliyun\.json profile 'default' .*; the official SDKs ignore ALIBABA_CLOUD_CONFIG_FILE and read ~\/\.aliyun\/config\.json$/,
    )
  })

  it('shows a credentials URI by its origin only: the path may be the secret', async () => {
    const e = await explain({
      ALIBABA_CLOUD_CREDENTIALS_URI: 'http://127.0.0.1:8700/s3cr3t-path/default',
    })
    expect(e.winner?.source).toBe('credentials-uri')
    expect(e.winner?.detail).toContain('http://127.0.0.1:8700')
    expect(JSON.stringify(e)).not.toContain('s3cr3t')
  })
})

describe('explainChain on the CLI modes that log in or fetch', () => {
  const at = (seconds: number) => Math.floor(NOW.getTime() / 1000) + seconds
  const sso = (extra: object = {}) => ({
    name: 'sso',
    mode: 'CloudSSO',
    cloud_sso_sign_in_url: 'https://signin-abc.alibabacloudsso.com/device/login',
    cloud_sso_account_id: '1234567890123456',
    cloud_sso_access_config: 'ac-1',
    access_token: 'sso-token-never-shown',
    cloud_sso_access_token_expire: at(3600),
    ...extra,
  })
  const cli = (...profiles: Array<{ name: string } & Record<string, unknown>>) => ({
    [CLI_PATH]: cliConfig(profiles[0]!.name, ...profiles),
  })

  it('names an expired CloudSSO login as broken, with the command that logs in again, and no token', async () => {
    const e = await explain(
      {},
      {
        ...cli(sso({ cloud_sso_access_token_expire: at(-60) })),
        ...{
          [INI_PATH]: `[default]\ntype = access_key\naccess_key_id = ${CLI_KEY_ID}\naccess_key_secret = x`,
        },
      },
    )
    expect(e.stoppedAt?.source).toBe('cli-profile')
    expect(e.stoppedAt?.detail).toBe(
      'cli-profile:sso: the CloudSSO login has expired: log in again with `aliyun configure --profile sso --mode CloudSSO`',
    )
    expect(e.officialInstead?.source).toBe('ini-file')
    expect(JSON.stringify(e)).not.toContain('sso-token-never-shown')
  })

  it('describes a CloudSSO exchange by the portal origin, and cached credentials by a masked key', async () => {
    const exchange = await explain({}, cli(sso()))
    expect(exchange.winner?.detail).toBe(
      `~/.aliyun/config.json profile 'sso' (mode CloudSSO, its "current"): asks https://signin-abc.alibabacloudsso.com for credentials`,
    )
    const cachedKey = 'STS.NUgYrLnoC37mZZCNnAbez2zBv'
    const fromCache = await explain(
      {},
      cli(
        sso({
          access_key_id: cachedKey,
          access_key_secret: 'cached-secret',
          sts_token: 'cached-token',
          sts_expiration: at(3600),
        }),
      ),
    )
    expect(fromCache.winner?.detail).toContain(
      `key ${maskAccessKeyId(cachedKey)} and a security token`,
    )
    expect(JSON.stringify(fromCache)).not.toMatch(/cached-secret|cached-token|NUgYrLnoC37m/)
  })

  it('notes where the official Node SDK parts from credvend: no CredentialsURI mode, no external_id', async () => {
    const uri = await explain(
      {},
      cli({ name: 'u', mode: 'CredentialsURI', credentials_uri: 'https://creds.internal/s3cr3t' }),
    )
    expect(uri.winner?.detail).toBe(
      `~/.aliyun/config.json profile 'u' (mode CredentialsURI, its "current"): asks https://creds.internal for credentials; the official Node SDK has no CredentialsURI mode and passes over this profile`,
    )
    expect(JSON.stringify(uri)).not.toContain('s3cr3t')
    const external = await explain(
      {},
      cli({ ...akProfile('r'), mode: 'RamRoleArn', ram_role_arn: ROLE, external_id: 'abc-123' }),
    )
    expect(external.winner?.detail).toMatch(
      /: AssumeRole .* with key .*; the official Node SDK does not send its external_id$/,
    )
    expect(JSON.stringify(external)).not.toContain('abc-123')
  })

  it('shows the regional endpoint sts_region picks', async () => {
    const e = await explain(
      {},
      cli({ ...akProfile('r'), mode: 'RamRoleArn', ram_role_arn: ROLE, sts_region: 'cn-shanghai' }),
    )
    expect(e.winner?.detail).toContain(
      `AssumeRole ${ROLE} at sts.cn-shanghai.aliyuncs.com with key ${maskAccessKeyId(CLI_KEY_ID)}`,
    )
  })
})

/**
 * The explanation runs the real providers dry, but keeps its own list of them: on the same host it
 * must pick what `serverChain` picks, or stop where it stops.
 */
describe('explainChain agrees with serverChain', () => {
  const sts: StsClient = {
    assumeRole: async () => roleReply(),
    assumeRoleWithOidc: async () => roleReply(),
    getCallerIdentity: () => Promise.reject(new Error('unused')),
    clockOffsetMs: () => 0,
  }
  const roleReply = () => ({
    requestId: 'r',
    assumedRoleUser: { arn: 'a', assumedRoleId: 'i' },
    credentials: {
      accessKeyId: 'STS.role',
      accessKeySecret: 's',
      securityToken: 't',
      expiration: new Date('2026-11-22T11:00:00Z'),
    },
  })
  // No metadata service; any other address is the credentials URI, which answers.
  const fetchFn = (async (input: string | URL | Request) => {
    if (String(input instanceof Request ? input.url : input).startsWith('http://100.100.100.200'))
      throw new TypeError('fetch failed')
    const upper = {
      AccessKeyId: 'STS.uri',
      AccessKeySecret: 's',
      SecurityToken: 't',
      Expiration: '2026-11-22T11:00:00Z',
    }
    // A credentials URI, a CloudSSO portal and an OAuth exchange, each in its own shape.
    return Response.json({
      Code: 'Success',
      ...upper,
      CloudCredential: upper,
      accessKeyId: 'STS.oauth',
      accessKeySecret: 's',
      securityToken: 't',
      expiration: '2026-11-22T11:00:00Z',
    })
  }) as typeof fetch
  const ini = (body: string) => ({ [INI_PATH]: `[default]\n${body}\n` })
  const inSeconds = (seconds: number) => Math.floor(NOW.getTime() / 1000) + seconds
  const ssoProfile = (expiresIn: number) => ({
    name: 's',
    mode: 'CloudSSO',
    cloud_sso_sign_in_url: 'https://signin-abc.alibabacloudsso.com/device/login',
    cloud_sso_account_id: '1',
    cloud_sso_access_config: 'ac',
    access_token: 't',
    cloud_sso_access_token_expire: inSeconds(expiresIn),
  })
  const uri = { ALIBABA_CLOUD_CREDENTIALS_URI: 'http://127.0.0.1:8700/x' }

  // EcsRamRole profiles are left out: a dry run takes a named instance role as configured, and
  // whether the metadata service serves it is for the identity check to find.
  const CASES: Array<[string, Record<string, string>, Files]> = [
    ['nothing', {}, {}],
    ['env AccessKey', envKeys, {}],
    ['env id without secret', { ALIBABA_CLOUD_ACCESS_KEY_ID: KEY_ID }, {}],
    ['OIDC', oidcEnv, { [TOKEN_PATH]: 'eyJ.token.sig' }],
    ['OIDC without its token file', oidcEnv, {}],
    ['OIDC partly set', { ALIBABA_CLOUD_ROLE_ARN: ROLE }, {}],
    ['CLI AK', {}, { [CLI_PATH]: cliConfig('default', akProfile()) }],
    [
      'CLI AK and INI AccessKey',
      {},
      {
        [CLI_PATH]: cliConfig('default', akProfile()),
        ...ini('type = access_key\naccess_key_id = a\naccess_key_secret = b'),
      },
    ],
    [
      'CLI profile named but missing, INI next',
      { ALIBABA_CLOUD_PROFILE: 'nope' },
      {
        [CLI_PATH]: cliConfig('default', akProfile()),
        [`${INI_PATH}.ini`]:
          '[nope]\ntype = sts\naccess_key_id = a\naccess_key_secret = b\nsecurity_token = c',
      },
    ],
    [
      'CLI RamRoleArn',
      {},
      {
        [CLI_PATH]: cliConfig('default', {
          ...akProfile(),
          mode: 'RamRoleArn',
          ram_role_arn: ROLE,
        }),
      },
    ],
    [
      'CLI chain cycle',
      {},
      {
        [CLI_PATH]: cliConfig(
          'a',
          { name: 'a', mode: 'ChainableRamRoleArn', source_profile: 'b', ram_role_arn: ROLE },
          { name: 'b', mode: 'ChainableRamRoleArn', source_profile: 'a', ram_role_arn: ROLE },
        ),
      },
    ],
    [
      'CLI External',
      {},
      { [CLI_PATH]: cliConfig('x', { name: 'x', mode: 'External', process_command: 'x' }) },
    ],
    ['CLI CloudSSO', {}, { [CLI_PATH]: cliConfig('s', { name: 's', mode: 'CloudSSO' }) }],
    ['CLI CloudSSO logged in', {}, { [CLI_PATH]: cliConfig('s', ssoProfile(3600)) }],
    ['CLI CloudSSO login expired', {}, { [CLI_PATH]: cliConfig('s', ssoProfile(-1)) }],
    [
      'CLI OAuth with cached credentials',
      {},
      {
        [CLI_PATH]: cliConfig('o', {
          name: 'o',
          mode: 'OAuth',
          oauth_site_type: 'CN',
          access_key_id: 'STS.cached',
          access_key_secret: 's',
          sts_token: 't',
          sts_expiration: inSeconds(3600),
        }),
      },
    ],
    [
      'CLI OAuth logged out, INI next',
      {},
      {
        [CLI_PATH]: cliConfig('o', { name: 'o', mode: 'OAuth', oauth_site_type: 'CN' }),
        ...ini('type = access_key\naccess_key_id = a\naccess_key_secret = b'),
      },
    ],
    [
      'CLI CredentialsURI',
      {},
      {
        [CLI_PATH]: cliConfig('u', {
          name: 'u',
          mode: 'CredentialsURI',
          credentials_uri: 'http://127.0.0.1:8700/x',
        }),
      },
    ],
    [
      'CLI RamRoleArn with sts_region',
      {},
      {
        [CLI_PATH]: cliConfig('default', {
          ...akProfile(),
          mode: 'RamRoleArn',
          ram_role_arn: ROLE,
          sts_region: 'cn-beijing',
        }),
      },
    ],
    [
      'CLI RamRoleArn with a bad sts_region',
      {},
      {
        [CLI_PATH]: cliConfig('default', {
          ...akProfile(),
          mode: 'RamRoleArn',
          ram_role_arn: ROLE,
          sts_region: 'x/y',
        }),
      },
    ],
    ['CLI not JSON', {}, { [CLI_PATH]: 'not json' }],
    [
      'CLI disabled, INI AccessKey',
      { ALIBABA_CLOUD_CLI_PROFILE_DISABLED: 'true' },
      {
        [CLI_PATH]: cliConfig('default', akProfile()),
        ...ini('type = access_key\naccess_key_id = a\naccess_key_secret = b'),
      },
    ],
    [
      'INI ram_role_arn',
      {},
      ini(`type = ram_role_arn\naccess_key_id = a\naccess_key_secret = b\nrole_arn = ${ROLE}`),
    ],
    ['INI disabled profile, then URI', uri, ini('type = access_key\nenable = false')],
    ['INI rsa_key_pair', {}, ini('type = rsa_key_pair')],
    [
      'INI with inline comments and quotes',
      {},
      ini('type = access_key ; static\naccess_key_id = "a" \naccess_key_secret = b # secret'),
    ],
    [
      'INI dotted profile name, then URI',
      { ...uri, ALIBABA_CLOUD_PROFILE: 'a.b' },
      { [INI_PATH]: '[a.b]\ntype = access_key' },
    ],
    ['credentials URI', uri, {}],
    [
      'credentials URI over plain HTTP to a remote host',
      { ALIBABA_CLOUD_CREDENTIALS_URI: 'http://example.com/x' },
      {},
    ],
  ]

  it.each(CASES)('%s', async (_name, env, files) => {
    const readFile = readFrom(files)
    const explanation = await explainChain({
      env,
      homeDir: HOME,
      readFile,
      now,
      instanceMetadata: fromInstanceMetadata({ env, fetch: fetchFn }),
    })
    const chosen = await serverChain({
      env,
      fetch: fetchFn,
      now,
      sts,
      regionalSts: () => sts,
      homeDir: HOME,
      readFile,
      runProcess: async () =>
        JSON.stringify({ mode: 'AK', access_key_id: 'a', access_key_secret: 'b' }),
    })().then(
      (c) => ({ used: c.source }),
      (error: unknown) => ({
        stopped: error instanceof ProviderError ? error.source : (error as { code?: string }).code,
      }),
    )
    if ('used' in chosen) expect(explanation.winner?.resolvedAs).toBe(chosen.used)
    else if (chosen.stopped === 'ERR_PROVIDER_UNAVAILABLE') {
      expect(explanation.winner).toBeUndefined()
      expect(explanation.stoppedAt).toBeUndefined()
    } else expect(explanation.stoppedAt?.resolvedAs).toBe(chosen.stopped)
  })
})
