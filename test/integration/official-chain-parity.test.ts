import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { serverChain } from '../../lib/credentials/default-chains.ts'
import type { Credentials } from '../../lib/credentials/types.ts'
import { createImdsEmulator } from '../../lib/emulator/imds.ts'
import { formatTimestamp } from '../../lib/signing/timestamp.ts'
import type { StsClient } from '../../lib/sts/client.ts'
import type { AssumeRoleInput } from '../../lib/sts/schemas.ts'
import { listenLoopback } from '../../functions/node/cli/local/local-emulator.ts'
import { nodeRandomBytes } from '../../functions/node/platform/deps.ts'
import { startProviderWorld, type ProviderWorld } from '../helpers/provider-world.ts'
import { readFile } from 'node:fs/promises'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'

/**
 * Same environment, same choice: for each configuration, the official `@alicloud/credentials`
 * default chain and credvend's chain must pick the same kind of source. The official package's
 * outbound HTTP (httpx) is redirected to loopback — STS for role and OIDC exchanges, IMDS for the
 * instance role, a stand-in for the OAuth service — and the loopback guard stops anything else.
 * Where the official Node package lacks something the aliyun CLI has (a CredentialsURI mode,
 * `external_id`, the `ALIBABA_CLOUD_IMDSV1_DISABLE` spelling), the case says so and pins what
 * each chain picks instead.
 */
const require = createRequire(import.meta.url)
const httpx = require('httpx') as { request: (url: string, opts: unknown) => Promise<unknown> }
type OfficialCredentials = { providerName: string; accessKeyId: string; accessKeySecret: string }
const { DefaultCredentialsProvider } = require('@alicloud/credentials') as {
  DefaultCredentialsProvider: {
    builder(): { build(): { getCredentials(): Promise<OfficialCredentials> } }
  }
}
const CLIProfileCredentialsProvider = (
  require('@alicloud/credentials/dist/src/providers/cli_profile.js') as {
    default: {
      builder(): {
        withProfileName(name: string): { build(): { getCredentials(): Promise<unknown> } }
      }
    }
  }
).default

/** Official provider name → the source tag credvend gives the same choice. */
const SAME_SOURCE: Record<string, RegExp> = {
  'default/env': /^env$/,
  'default/oidc_role_arn': /^oidc$/,
  'default/cli_profile': /^cli-profile:/,
  'default/profile': /^ini-file:/,
  'default/ecs_ram_role': /^ecs-ram-role$/,
  'default/credential_uri': /^credentials-uri$/,
}

type Server = { port: number; close: () => Promise<void> }
let w: ProviderWorld
let portal: Server
let lenientPortal: Server
let v1OnlyImds: Server
let portalOrigin = ''
let lenientOrigin = ''
/** Where the official chain's metadata requests go in the current case. */
let imdsTarget = ''
const originalRequest = httpx.request
const redirected: string[] = []
const savedEnv = { ...process.env }
const run = promisify(execFile)

const SSO_TOKEN = 'sso-access-token'
const OAUTH_TOKEN = 'oauth-access-token'
const SSO_ACCOUNT = '1234567890123456'
const SSO_ACCESS_CONFIG = 'ac-parity'
const portalCalls = { sso: 0, ssoRefused: 0, oauth: 0 }
let issued: { uri: Credentials; sso: Credentials; oauth: Credentials; cached: Credentials }

const stsReply = (c: Credentials) => ({
  AccessKeyId: c.accessKeyId,
  AccessKeySecret: c.accessKeySecret,
  SecurityToken: c.securityToken,
  Expiration: formatTimestamp(c.expiration!),
})

/**
 * One loopback server standing in for three services: a credentials URI (`GET /credentials`),
 * a CloudSSO portal (`POST /cloud-credentials`) and the OAuth exchange (`POST /v1/exchange`,
 * dist/src/providers/oauth.js). Each answers with its own emulator session, so a test can tell
 * which one a chain used. The aliyun CLI and credentials-go send the portal the account and
 * access configuration to sign in to (aliyun-cli cloudsso/refresh.go, credentials-go
 * credentials/providers/cloud_sso.go); @alicloud/credentials 2.4.7 builds that body and never
 * attaches it (src/providers/cloud_sso.ts). A `strict` portal needs it, as a portal that must
 * know which account to sign in to would; a lenient one does not.
 */
const portalHandler = (strict: boolean) => async (request: Request) => {
  const { pathname } = new URL(request.url)
  const bearer = request.headers.get('authorization')
  if (request.method === 'GET' && pathname === '/credentials')
    return Response.json({ Code: 'Success', ...stsReply(issued.uri) })
  if (request.method === 'POST' && pathname === '/cloud-credentials') {
    const body = (await request.json().catch(() => ({}))) as Record<string, unknown>
    if (bearer !== `Bearer ${SSO_TOKEN}`) return new Response('no', { status: 401 })
    if (
      strict &&
      (body.AccountId !== SSO_ACCOUNT || body.AccessConfigurationId !== SSO_ACCESS_CONFIG)
    ) {
      portalCalls.ssoRefused++
      return Response.json({ ErrorCode: 'InvalidParameter' }, { status: 400 })
    }
    portalCalls.sso++
    return Response.json({ CloudCredential: stsReply(issued.sso), RequestId: 'r' })
  }
  if (request.method === 'POST' && pathname === '/v1/exchange') {
    if (bearer !== `Bearer ${OAUTH_TOKEN}`) return new Response('no', { status: 401 })
    portalCalls.oauth++
    const c = issued.oauth
    return Response.json({
      requestId: 'r',
      accessKeyId: c.accessKeyId,
      accessKeySecret: c.accessKeySecret,
      securityToken: c.securityToken,
      expiration: formatTimestamp(c.expiration!),
    })
  }
  return new Response('not found', { status: 404 })
}

beforeAll(async () => {
  w = await startProviderWorld()
  portal = await listenLoopback(portalHandler(true), 0)
  portalOrigin = `http://127.0.0.1:${portal.port}`
  lenientPortal = await listenLoopback(portalHandler(false), 0)
  lenientOrigin = `http://127.0.0.1:${lenientPortal.port}`
  v1OnlyImds = await listenLoopback(
    createImdsEmulator(
      w.world,
      { now: w.emulator.now, randomBytes: nodeRandomBytes },
      { role: w.instanceRole, noTokenEndpoint: true },
    ).app.fetch,
    0,
  )
  httpx.request = (url: string, opts: unknown) => {
    const target = url
      .replace(/^https:\/\/sts(-vpc)?(\.[a-z0-9-]+)?\.aliyuncs\.com/, w.emulator.stsEndpoint)
      .replace(/^http:\/\/100\.100\.100\.200/, imdsTarget)
      .replace(/^https:\/\/oauth\.aliyun\.com/, portalOrigin)
    redirected.push(new URL(url).host)
    return originalRequest(target, opts)
  }
  const session = async (name: string) => {
    const reply = await w.sts.assumeRole(
      { ...w.emulator.demo.vendor, source: 't' },
      { roleArn: w.hop1.arn, roleSessionName: name },
    )
    return { ...reply.credentials, source: name }
  }
  issued = {
    uri: await session('uri'),
    sso: await session('sso'),
    oauth: await session('oauth'),
    cached: await session('cached'),
  }
})
/** Restores the environment in place: replacing the process.env object would detach it from the real one. */
const restoreEnv = () => {
  for (const name of Object.keys(process.env)) if (!(name in savedEnv)) delete process.env[name]
  Object.assign(process.env, savedEnv)
}
afterAll(async () => {
  httpx.request = originalRequest
  restoreEnv()
  await portal?.close()
  await lenientPortal?.close()
  await v1OnlyImds?.close()
  await w?.close()
})
afterEach(restoreEnv)

const vendor = () => w.emulator.demo.vendor
const externalCommand = () =>
  `printf '%s' '${JSON.stringify({ mode: 'AK', access_key_id: vendor().accessKeyId, access_key_secret: vendor().accessKeySecret })}'`
const inSeconds = (s: number) => Math.floor(w.emulator.now().getTime() / 1000) + s
const uriEnv = () => ({ ALIBABA_CLOUD_CREDENTIALS_URI: `${portalOrigin}/credentials` })
const oneProfile = (profile: object) => ({ current: 'p', profiles: [{ name: 'p', ...profile }] })
const akIni = () =>
  `[default]\ntype = access_key\naccess_key_id = ${vendor().accessKeyId}\naccess_key_secret = ${vendor().accessKeySecret}\n`
const ssoProfile = (origin: string, extra: object = {}) =>
  oneProfile({
    mode: 'CloudSSO',
    cloud_sso_sign_in_url: `${origin}/device/login`,
    cloud_sso_account_id: SSO_ACCOUNT,
    cloud_sso_access_config: SSO_ACCESS_CONFIG,
    access_token: SSO_TOKEN,
    cloud_sso_access_token_expire: inSeconds(3600),
    ...extra,
  })

/** What one case saw besides the two answers: requests, regional clients, AssumeRole inputs. */
interface Seen {
  readonly official: OfficialCredentials
  readonly ours: Credentials
  /** Hosts the official chain asked, through httpx. */
  readonly officialHosts: readonly string[]
  /** Endpoints credvend asked a regional STS client for. */
  readonly regional: readonly string[]
  /** AssumeRole inputs credvend sent. */
  readonly assumed: readonly AssumeRoleInput[]
  /** CloudSSO and OAuth exchanges, by whichever chain. */
  readonly portal: { readonly sso: number; readonly ssoRefused: number; readonly oauth: number }
}

interface Case {
  readonly env: Record<string, string>
  readonly cli?: object
  readonly ini?: string
  /** A metadata service for the case (ALIBABA_CLOUD_ECS_METADATA_DISABLED unset): with or without IMDSv2. */
  readonly imds?: 'v2' | 'v1-only'
  /** Where the official Node package lacks what credvend follows: what each picks instead. */
  readonly differs?: { readonly official: string; readonly ours: RegExp }
  readonly check?: (seen: Seen) => void | Promise<void>
}

const whoAmI = async (c: Credentials) => (await w.sts.getCallerIdentity(c)).arn

const CASES: Array<[string, () => Case]> = [
  [
    'env AccessKey',
    () => ({
      env: {
        ALIBABA_CLOUD_ACCESS_KEY_ID: vendor().accessKeyId,
        ALIBABA_CLOUD_ACCESS_KEY_SECRET: vendor().accessKeySecret,
      },
    }),
  ],
  [
    'OIDC (RRSA) from the environment',
    () => ({
      env: {
        ALIBABA_CLOUD_ROLE_ARN: w.oidcRole.arn,
        ALIBABA_CLOUD_OIDC_PROVIDER_ARN: w.provider.arn,
        ALIBABA_CLOUD_OIDC_TOKEN_FILE: w.tokenFile,
      },
    }),
  ],
  [
    'config.json AK',
    () => ({
      env: {},
      cli: oneProfile({
        mode: 'AK',
        access_key_id: vendor().accessKeyId,
        access_key_secret: vendor().accessKeySecret,
      }),
    }),
  ],
  [
    'config.json StsToken',
    () => ({
      env: {},
      cli: oneProfile({
        mode: 'StsToken',
        access_key_id: 'STS.x',
        access_key_secret: 'y',
        sts_token: 'z',
      }),
    }),
  ],
  [
    'config.json RamRoleArn',
    () => ({
      env: {},
      cli: oneProfile({
        mode: 'RamRoleArn',
        access_key_id: vendor().accessKeyId,
        access_key_secret: vendor().accessKeySecret,
        ram_role_arn: w.hop1.arn,
        ram_session_name: 'parity',
        expired_seconds: 900,
      }),
    }),
  ],
  [
    'config.json ChainableRamRoleArn',
    () => ({
      env: {},
      cli: {
        current: 'c',
        profiles: [
          {
            name: 'p',
            mode: 'RamRoleArn',
            access_key_id: vendor().accessKeyId,
            access_key_secret: vendor().accessKeySecret,
            ram_role_arn: w.hop1.arn,
            ram_session_name: 'parity',
            expired_seconds: 900,
          },
          {
            name: 'c',
            mode: 'ChainableRamRoleArn',
            source_profile: 'p',
            ram_role_arn: w.hop2.arn,
            ram_session_name: 'parity2',
            expired_seconds: 900,
          },
        ],
      },
    }),
  ],
  [
    'config.json OIDC',
    () => ({
      env: {},
      cli: oneProfile({
        mode: 'OIDC',
        ram_role_arn: w.oidcRole.arn,
        oidc_provider_arn: w.provider.arn,
        oidc_token_file: w.tokenFile,
        ram_session_name: 'parity',
      }),
    }),
  ],
  [
    'config.json External',
    () => ({
      env: {},
      cli: oneProfile({ mode: 'External', process_command: externalCommand() }),
    }),
  ],
  [
    'config.json EcsRamRole',
    () => ({
      env: {},
      imds: 'v2',
      cli: oneProfile({ mode: 'EcsRamRole', ram_role_name: w.instanceRole.roleName }),
    }),
  ],
  [
    'config.json CloudSSO: a valid login and cached STS credentials',
    () => ({
      env: {},
      cli: ssoProfile(lenientOrigin, {
        access_key_id: issued.cached.accessKeyId,
        access_key_secret: issued.cached.accessKeySecret,
        sts_token: issued.cached.securityToken,
        sts_expiration: Math.floor(issued.cached.expiration!.getTime() / 1000),
      }),
      // The CLI reads its cache; the official Node package always asks the portal.
      check: (seen) => {
        expect(seen.ours.accessKeyId).toBe(issued.cached.accessKeyId)
        expect(seen.official.accessKeyId).toBe(issued.sso.accessKeyId)
        expect(seen.portal.sso).toBe(1)
      },
    }),
  ],
  [
    'config.json CloudSSO: a valid login, nothing cached',
    () => ({
      env: {},
      cli: ssoProfile(lenientOrigin),
      check: (seen) => {
        expect(seen.ours.accessKeyId).toBe(issued.sso.accessKeyId)
        expect(seen.portal.sso).toBe(2)
      },
    }),
  ],
  [
    'config.json CloudSSO at a portal that needs the account and access configuration (the official Node package omits them)',
    () => ({
      env: {},
      cli: ssoProfile(portalOrigin),
      ini: akIni(),
      differs: { official: 'default/profile', ours: /^cli-profile:p$/ },
      check: (seen) => {
        expect(seen.ours.accessKeyId).toBe(issued.sso.accessKeyId)
        expect(seen.portal).toEqual({ sso: 1, ssoRefused: 1, oauth: 0 })
      },
    }),
  ],
  [
    'config.json OAuth: a valid access token',
    () => ({
      env: {},
      cli: oneProfile({
        mode: 'OAuth',
        oauth_site_type: 'CN',
        oauth_access_token: OAUTH_TOKEN,
        oauth_access_token_expire: inSeconds(3600),
      }),
      // The official provider writes what it exchanged back into the profile (oauth.js, its
      // tokenUpdateCallback), where credvend then finds it as the CLI's cache: one exchange.
      check: (seen) => {
        expect(seen.officialHosts).toContain('oauth.aliyun.com')
        expect(seen.official.accessKeyId).toBe(issued.oauth.accessKeyId)
        expect(seen.ours.accessKeyId).toBe(issued.oauth.accessKeyId)
        expect(seen.portal.oauth).toBe(1)
      },
    }),
  ],
  [
    // @alicloud/credentials 2.4.7 has no CredentialsURI mode (cli_profile.js throws "unsupported
    // profile mode"), so its chain passes over the profile; the aliyun CLI fetches the profile's
    // URI (config/profile.go). With the same URI in the variable both end with the same keys.
    'config.json CredentialsURI (the official Node package has no such mode)',
    () => ({
      env: uriEnv(),
      cli: oneProfile({ mode: 'CredentialsURI', credentials_uri: `${portalOrigin}/credentials` }),
      differs: { official: 'default/credential_uri', ours: /^cli-profile:p$/ },
      check: (seen) => {
        expect(seen.ours.accessKeyId).toBe(issued.uri.accessKeyId)
        expect(seen.official.accessKeyId).toBe(issued.uri.accessKeyId)
      },
    }),
  ],
  [
    'config.json RamRoleArn with external_id, to a role that does not demand one',
    () => ({
      env: {},
      cli: oneProfile({
        mode: 'RamRoleArn',
        access_key_id: vendor().accessKeyId,
        access_key_secret: vendor().accessKeySecret,
        ram_role_arn: w.hop1.arn,
        external_id: w.emulator.demo.externalId,
      }),
      check: (seen) =>
        expect(seen.assumed.map((i) => i.externalId)).toEqual([w.emulator.demo.externalId]),
    }),
  ],
  [
    // The aliyun CLI and credentials-go send external_id (config/profile.go; cli_profile.go
    // WithExternalId); @alicloud/credentials 2.4.7 builds the role without it, is refused, and
    // its chain falls through to the next identity.
    'config.json RamRoleArn with external_id, to a role that demands it (the official Node package drops it)',
    () => ({
      env: {},
      cli: oneProfile({
        mode: 'RamRoleArn',
        access_key_id: vendor().accessKeyId,
        access_key_secret: vendor().accessKeySecret,
        ram_role_arn: w.emulator.demo.partnerRole.arn,
        external_id: w.emulator.demo.externalId,
      }),
      ini: akIni(),
      differs: { official: 'default/profile', ours: /^cli-profile:p$/ },
      check: async (seen) =>
        expect(await whoAmI(seen.ours)).toContain('assumed-role/credvend-partner-demo/'),
    }),
  ],
  [
    'config.json RamRoleArn with sts_region',
    () => ({
      env: {},
      cli: oneProfile({
        mode: 'RamRoleArn',
        access_key_id: vendor().accessKeyId,
        access_key_secret: vendor().accessKeySecret,
        ram_role_arn: w.hop1.arn,
        sts_region: 'cn-shanghai',
      }),
      check: (seen) => {
        expect(seen.officialHosts).toEqual(['sts.cn-shanghai.aliyuncs.com'])
        expect(seen.regional).toEqual(['https://sts.cn-shanghai.aliyuncs.com'])
      },
    }),
  ],
  ['INI access_key', () => ({ env: {}, ini: akIni() })],
  [
    'INI ram_role_arn',
    () => ({
      env: {},
      ini: `[default]\nenable = true\ntype = ram_role_arn\naccess_key_id = ${vendor().accessKeyId}\naccess_key_secret = ${vendor().accessKeySecret}\nrole_arn = ${w.hop1.arn}\nrole_session_name = parity\n`,
    }),
  ],
  [
    'INI with inline comments and quoted values',
    () => ({
      env: {},
      ini: [
        '# credentials for the parity test',
        '[default]',
        'type = access_key ; a static key',
        `access_key_id = "${vendor().accessKeyId}"`,
        `access_key_secret = '${vendor().accessKeySecret}'   `,
        '; a whole-line comment',
      ].join('\n'),
      check: (seen) => {
        expect(seen.ours.accessKeyId).toBe(vendor().accessKeyId)
        expect(seen.ours.accessKeySecret).toBe(vendor().accessKeySecret)
        expect(seen.official.accessKeySecret).toBe(vendor().accessKeySecret)
      },
    }),
  ],
  [
    'INI: a comment after a quoted value keeps the quotes, for both',
    () => ({
      env: {},
      ini: `[default]\ntype = access_key\naccess_key_id = "${vendor().accessKeyId}" ; quoted\naccess_key_secret = x\n`,
      check: (seen) => {
        expect(seen.ours.accessKeyId).toBe(`"${vendor().accessKeyId}"`)
        expect(seen.official.accessKeyId).toBe(seen.ours.accessKeyId)
      },
    }),
  ],
  [
    'INI ram_role_arn with commented and quoted fields',
    () => ({
      env: {},
      ini: `[default]\ntype = "ram_role_arn"\naccess_key_id = ${vendor().accessKeyId} # id\naccess_key_secret = ${vendor().accessKeySecret};secret\nrole_arn = '${w.hop1.arn}'\nrole_session_name = parity ; name\n`,
      check: async (seen) => expect(await whoAmI(seen.ours)).toContain('assumed-role/hop-1/parity'),
    }),
  ],
  [
    'INI: a section header with a trailing space is no header, so both move on to the credentials URI',
    () => ({ env: uriEnv(), ini: akIni().replace('[default]', '[default] ') }),
  ],
  [
    'INI: a dotted profile name is nested away, so both move on to the credentials URI',
    () => ({
      env: { ALIBABA_CLOUD_PROFILE: 'prod.cn', ...uriEnv() },
      ini: akIni().replace('[default]', '[prod.cn]'),
    }),
  ],
  [
    'env wins over config.json',
    () => ({
      env: {
        ALIBABA_CLOUD_ACCESS_KEY_ID: vendor().accessKeyId,
        ALIBABA_CLOUD_ACCESS_KEY_SECRET: vendor().accessKeySecret,
      },
      cli: oneProfile({ mode: 'AK', access_key_id: 'LTAIother', access_key_secret: 'x' }),
    }),
  ],
  [
    'config.json wins over INI',
    () => ({
      env: {},
      cli: oneProfile({
        mode: 'AK',
        access_key_id: vendor().accessKeyId,
        access_key_secret: vendor().accessKeySecret,
      }),
      ini: '[default]\ntype = access_key\naccess_key_id = LTAIini\naccess_key_secret = x\n',
    }),
  ],
  ['credentials URI', () => ({ env: uriEnv() })],
  ['ECS instance role over IMDSv2', () => ({ env: {}, imds: 'v2' })],
  [
    'ALIBABA_CLOUD_IMDSV1_DISABLED=true with IMDSv2 available',
    () => ({ env: { ALIBABA_CLOUD_IMDSV1_DISABLED: 'true' }, imds: 'v2' }),
  ],
  [
    'ALIBABA_CLOUD_IMDSV1_DISABLE=true with IMDSv2 available',
    () => ({ env: { ALIBABA_CLOUD_IMDSV1_DISABLE: 'true' }, imds: 'v2' }),
  ],
  [
    'an IMDSv1-only metadata service and no switch: both fall back to IMDSv1',
    () => ({ env: uriEnv(), imds: 'v1-only' }),
  ],
  [
    'ALIBABA_CLOUD_IMDSV1_DISABLED=TRUE, IMDSv1 only: both move on to the credentials URI',
    () => ({ env: { ALIBABA_CLOUD_IMDSV1_DISABLED: 'TRUE', ...uriEnv() }, imds: 'v1-only' }),
  ],
  [
    // The Python and C++ credentials READMEs spell the switch ALIBABA_CLOUD_IMDSV1_DISABLE; the
    // official Node code (ecs_ram_role.js) reads only ..._DISABLED and still uses IMDSv1.
    'ALIBABA_CLOUD_IMDSV1_DISABLE=true, IMDSv1 only (the official Node package ignores this spelling)',
    () => ({
      env: { ALIBABA_CLOUD_IMDSV1_DISABLE: 'true', ...uriEnv() },
      imds: 'v1-only',
      differs: { official: 'default/ecs_ram_role', ours: /^credentials-uri$/ },
    }),
  ],
]

describe('credvend chooses the same source as the official @alicloud/credentials default chain', () => {
  it.each(CASES)('%s', async (_name, makeCase) => {
    const c = makeCase()
    const home = mkdtempSync(join(tmpdir(), 'credvend-parity-'))
    if (c.cli) {
      mkdirSync(join(home, '.aliyun'))
      writeFileSync(join(home, '.aliyun', 'config.json'), JSON.stringify(c.cli))
    }
    if (c.ini) {
      mkdirSync(join(home, '.alibabacloud'))
      writeFileSync(join(home, '.alibabacloud', 'credentials'), c.ini)
    }
    for (const name of Object.keys(process.env))
      if (name.startsWith('ALIBABA_CLOUD_')) delete process.env[name]
    Object.assign(process.env, { HOME: home }, c.env)
    if (!c.imds) process.env.ALIBABA_CLOUD_ECS_METADATA_DISABLED = 'true'
    const imdsEndpoint =
      c.imds === 'v1-only' ? `http://127.0.0.1:${v1OnlyImds.port}` : w.imdsEndpoint
    imdsTarget = imdsEndpoint
    const portalBefore = { ...portalCalls }

    const hostsBefore = redirected.length
    const official = await DefaultCredentialsProvider.builder().build().getCredentials()
    const officialHosts = redirected.slice(hostsBefore)
    const regional: string[] = []
    const assumed: AssumeRoleInput[] = []
    const sts: StsClient = {
      ...w.sts,
      assumeRole: (source, input, lane) => {
        assumed.push(input)
        return w.sts.assumeRole(source, input, lane)
      },
    }
    const ours = await serverChain({
      env: { ...process.env },
      // The OAuth service is a constant in both chains; credvend's requests go where httpx's do.
      fetch: (input, init) =>
        fetch(String(input).replace(/^https:\/\/oauth\.aliyun\.com/, portalOrigin), init),
      now: w.emulator.now,
      sts,
      regionalSts: (endpoint) => (regional.push(endpoint), sts),
      homeDir: home,
      imdsEndpoint,
      readFile: (path) => readFile(path, 'utf8').catch(() => undefined),
      runProcess: async (command) => (await run('/bin/sh', ['-c', command])).stdout,
    })()
    if (c.differs) {
      expect(official.providerName).toBe(c.differs.official)
      expect(ours.source).toMatch(c.differs.ours)
    } else {
      const expected = SAME_SOURCE[official.providerName]
      expect(expected, `no mapping for official ${official.providerName}`).toBeDefined()
      expect(ours.source).toMatch(expected!)
    }
    await c.check?.({
      official,
      ours,
      officialHosts,
      regional,
      assumed,
      portal: {
        sso: portalCalls.sso - portalBefore.sso,
        ssoRefused: portalCalls.ssoRefused - portalBefore.ssoRefused,
        oauth: portalCalls.oauth - portalBefore.oauth,
      },
    })
  })

  it('the official CLI-profile provider has no CredentialsURI mode: it refuses the profile credvend reads', async () => {
    const home = mkdtempSync(join(tmpdir(), 'credvend-parity-'))
    mkdirSync(join(home, '.aliyun'))
    writeFileSync(
      join(home, '.aliyun', 'config.json'),
      JSON.stringify(
        oneProfile({ mode: 'CredentialsURI', credentials_uri: `${portalOrigin}/credentials` }),
      ),
    )
    process.env.HOME = home
    await expect(
      CLIProfileCredentialsProvider.builder().withProfileName('p').build().getCredentials(),
    ).rejects.toThrow("unsupported profile mode 'CredentialsURI'")
  })

  it('sent nothing to 100.100.100.200 or Alibaba: every official request was redirected to loopback', () => {
    expect(redirected.length).toBeGreaterThan(0)
    expect(
      redirected.every((host) =>
        /aliyuncs\.com$|^oauth\.aliyun\.com$|^100\.100\.100\.200$|^127\.0\.0\.1:\d+$/.test(host),
      ),
    ).toBe(true)
  })
})
