import { execFile } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApiKey } from '../../lib/auth/api-key.ts'
import { nodeRandomBytes } from '../../functions/node/platform/deps.ts'
import { killCliChildren, runCli } from '../helpers/cli.ts'
import { OFFICIAL_STS_CLIENTS } from '../helpers/official-sts-clients.ts'
import { CHILD_PROCESS_TIMEOUT_MS } from '../helpers/timeouts.ts'

// The official SDKs judge what the banner prints: ali-oss, the KMS client and the STS client.
const require = createRequire(import.meta.url)
type AliOss = {
  put(name: string, body: Buffer): Promise<unknown>
  get(name: string): Promise<{ content: Buffer }>
}
const OSS = require('ali-oss') as new (options: Record<string, unknown>) => AliOss
const { default: Kms, GetSecretValueRequest } = require('@alicloud/kms20160120') as {
  default: new (config: Record<string, unknown>) => {
    getSecretValue(r: unknown): Promise<{ body?: { secretData: string }; secretData?: string }>
  }
  GetSecretValueRequest: new (r: Record<string, unknown>) => unknown
}
const { Config } = require('@alicloud/rpc-client') as {
  Config: new (c: Record<string, unknown>) => Record<string, unknown>
}
const officialSts = OFFICIAL_STS_CLIENTS['@alicloud/sts20150401 (default ACS3)']!

const FRONTEND = 'http://localhost:5173'
const ELSEWHERE = 'http://localhost:5174'

afterAll(killCliChildren)

/** A printed shell line, run as a person would paste it. */
const bash = (line: string) =>
  new Promise<string>((resolve, reject) =>
    execFile('bash', ['-c', line], (error, stdout) => (error ? reject(error) : resolve(stdout))),
  )

/** What a browser sends before a cross-origin POST, and the origin it is allowed, if any. */
const preflight = async (url: string, origin: string, method = 'POST') => {
  const res = await fetch(url, {
    method: 'OPTIONS',
    headers: {
      origin,
      'access-control-request-method': method,
      'access-control-request-headers': 'authorization',
    },
  })
  return { status: res.status, allowed: res.headers.get('access-control-allow-origin') }
}

/** The OSS emulator binds 127.0.0.1; the printed host name is for ali-oss's bucket addressing. */
const loopback = (endpoint: string) => endpoint.replace('localhost', '127.0.0.1')

const line = (stdout: string, pattern: RegExp) => {
  const match = pattern.exec(stdout)
  if (!match) throw new Error(`not printed: ${pattern}`)
  return match
}

const printedEndpoints = (stdout: string) => ({
  sts: line(stdout, /STS emulator\s+(\S+)/)[1]!,
  oss: line(stdout, /OSS emulator\s+(\S+)/)[1]!,
  kms: line(stdout, /KMS emulator\s+(\S+)/)[1]!,
  vendor: {
    accessKeyId: line(stdout, /AccessKeyId\s+(LTAI\S+)\s+AccessKeySecret\s+(\S+)/)[1]!,
    accessKeySecret: line(stdout, /AccessKeyId\s+(LTAI\S+)\s+AccessKeySecret\s+(\S+)/)[2]!,
  },
})

/** The ali-oss settings the banner prints for Node, as an object. */
const printedAliOssSettings = (stdout: string) => {
  const [, settings] = line(stdout, /new OSS\(\{ (.*),\n/)
  return Object.fromEntries(
    settings!
      .split(', ')
      .map((pair) => pair.split(': '))
      .filter(([, v]) => !v!.startsWith('v.'))
      .map(([k, v]) => [k, v === 'true' ? true : v!.replace(/^'|'$/g, '')]),
  )
}

describe('credvend serve --local --allow-origin', { timeout: CHILD_PROCESS_TIMEOUT_MS }, () => {
  let stdout: string
  let appUrl: string

  beforeAll(async () => {
    const cli = runCli(['serve', '--local', '--allow-origin', FRONTEND], { PORT: '0' })
    ;[, appUrl] = (await cli.output(/credvend app\s+(http:\/\/127\.0\.0\.1:\d+)/)) as string[] as [
      string,
      string,
    ]
    await cli.output(/In a browser, ali-oss/)
    stdout = cli.stdout()
  }, CHILD_PROCESS_TIMEOUT_MS)

  it("answers a CORS preflight for that origin, not for another, on the app and on the OSS emulator's bucket", async () => {
    const app = `${appUrl}/v1/credentials/demo-upload`
    expect(await preflight(app, FRONTEND)).toEqual({ status: 204, allowed: FRONTEND })
    expect(await preflight(app, ELSEWHERE)).toEqual({ status: 204, allowed: null })
    // The app's own origins stay allowed beside the added one.
    expect((await preflight(app, appUrl)).allowed).toBe(appUrl)

    const object = `${loopback(printedEndpoints(stdout).oss)}/demo-bucket/users/alice/a.txt`
    expect(await preflight(object, FRONTEND, 'PUT')).toEqual({ status: 200, allowed: FRONTEND })
    expect((await preflight(object, ELSEWHERE, 'PUT')).status).toBe(403)
  })

  it('prints the KMS endpoint, which the official KMS SDK reads with the printed keys, and an access-key vend that returns the same rotating key', async () => {
    const { sts, kms, vendor } = printedEndpoints(stdout)
    const [curl] = line(stdout, /curl -s \S+\/v1\/credentials\/demo-access-key .*/)
    const vended = JSON.parse(await bash(curl)) as Record<string, string>
    expect(vended).toMatchObject({ Code: 'Success', AccessKeyId: expect.stringMatching(/^LTAI/) })

    const secretName = line(stdout, /GetSecretValueRequest\(\{ secretName: '([^']+)' \}\)/)[1]
    const client = new Kms(
      new Config({
        ...vendor,
        endpoint: new URL(kms).host,
        protocol: 'http',
        regionId: 'cn-hangzhou',
      }),
    )
    const secret = await client.getSecretValue(new GetSecretValueRequest({ secretName }))
    // Depending on its version, the SDK answers the body or the model around it.
    expect(JSON.parse((secret.body ?? secret).secretData!)).toMatchObject({
      AccessKeyId: vended.AccessKeyId,
      AccessKeySecret: vended.AccessKeySecret,
    })
    // The key is a live RAM user's key, as STS sees it.
    const me = await officialSts(sts, {
      accessKeyId: vended.AccessKeyId!,
      accessKeySecret: vended.AccessKeySecret!,
    }).getCallerIdentity()
    expect([me.identityType, me.arn]).toEqual([
      'RAMUser',
      expect.stringMatching(/:user\/erp-ak-user$/),
    ])
  })

  it('prints the ali-oss settings a Node client needs, and with them ali-oss uploads what a vend allows', async () => {
    const [curl] = line(stdout, /curl -s -X POST \S+\/v1\/credentials\/demo-upload .*/)
    const v = JSON.parse(await bash(curl)) as Record<string, string>
    const settings = printedAliOssSettings(stdout)
    expect(settings).toMatchObject({ sldEnable: true, endpoint: v.Endpoint, bucket: v.Bucket })
    const client = new OSS({
      ...settings,
      accessKeyId: v.AccessKeyId,
      accessKeySecret: v.AccessKeySecret,
      stsToken: v.SecurityToken,
      retryMax: 0,
    })
    await client.put('users/alice/from-node.txt', Buffer.from('hello from node'))
    expect((await client.get('users/alice/from-node.txt')).content.toString()).toBe(
      'hello from node',
    )
  })
})

describe('credvend serve --local --config FILE', { timeout: CHILD_PROCESS_TIMEOUT_MS }, () => {
  let dir: string
  let configPath: string
  let apiKey: string
  let env: Record<string, string>
  let stdout: string
  let appUrl: string

  /** A deployment's config: real Alibaba endpoints, a Redis, roles in accounts the demo lacks. */
  const deployedConfig = () => ({
    region: 'cn-shanghai',
    sts: { endpoint: 'https://sts-vpc.cn-shanghai.aliyuncs.com' },
    kms: { endpoint: 'https://kms-vpc.cn-shanghai.aliyuncs.com' },
    sourcePrincipal: 'acs:ram::3333333333333333:role/credvend-fc',
    callers: { apiKeys: [{ id: 'ci', sha256: [{ env: 'LOCAL_TEST_KEY_SHA256' }] }] },
    profiles: {
      reports: {
        kind: 'sts',
        allow: [{ apiKey: 'ci' }],
        roleArn: 'acs:ram::4444444444444444:role/reports-reader',
        via: [{ roleArn: 'acs:ram::3333333333333333:role/reports-hub' }],
        externalId: { env: 'LOCAL_TEST_EXTERNAL_ID' },
        sessionPolicy: {
          Version: '1',
          Statement: [
            { Effect: 'Allow', Action: 'oss:GetObject', Resource: 'acs:oss:*:*:reports/*' },
          ],
        },
      },
      uploads: {
        kind: 'oss-upload',
        allow: [{ apiKey: 'ci' }],
        roleArn: 'acs:ram::3333333333333333:role/uploader',
        bucket: 'team-uploads',
        region: 'oss-cn-shanghai',
        prefix: 'ci/${caller.id}/',
        actions: ['put', 'read'],
        corsOrigins: ['https://app.example.com'],
      },
      legacy: { kind: 'access-key', allow: [{ apiKey: 'ci' }], secretName: 'legacy-ak' },
    },
    exposeInternalRoutes: true,
    redis: {
      url: { env: 'LOCAL_TEST_REDIS_URL_NEVER_SET' },
      keys: [{ id: 'k1', secret: { env: 'LOCAL_TEST_REDIS_KEY_NEVER_SET' } }],
    },
  })

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'credvend-local-config-'))
    configPath = join(dir, 'credvend.json')
    await writeFile(configPath, JSON.stringify(deployedConfig(), null, 2))
    const key = await createApiKey('ci', (n) => new Uint8Array(nodeRandomBytes(n)))
    apiKey = key.key
    env = {
      PORT: '0',
      LOCAL_TEST_KEY_SHA256: key.sha256,
      LOCAL_TEST_EXTERNAL_ID: `ext-${Buffer.from(nodeRandomBytes(8)).toString('hex')}`,
    }
    const cli = runCli(
      ['serve', '--local', '--config', configPath, '--allow-origin', FRONTEND],
      env,
    )
    ;[, appUrl] = (await cli.output(/credvend app\s+(http:\/\/127\.0\.0\.1:\d+)/)) as string[] as [
      string,
      string,
    ]
    await cli.output(/In a browser, ali-oss/)
    stdout = cli.stdout()
  }, CHILD_PROCESS_TIMEOUT_MS)
  afterAll(() => rm(dir, { recursive: true, force: true }))

  const vend = async (profile: string) => {
    const res = await fetch(`${appUrl}/v1/credentials/${profile}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}` },
    })
    return { status: res.status, body: (await res.json()) as Record<string, string> }
  }

  it('prints what it pointed at the emulator and what it created there, and never the ExternalId', () => {
    const { sts, oss, kms } = printedEndpoints(stdout)
    expect(stdout).toContain(`sts.endpoint      ${sts}`)
    expect(stdout).toContain(`kms.endpoint      ${kms}`)
    expect(stdout).toContain(`profiles.uploads.endpoint  ${oss}`)
    expect(stdout).toMatch(/redis\s+left out/)
    for (const created of [
      /role\s+acs:ram::3333333333333333:role\/reports-hub\s+trusts acs:ram::1234567890123456:user\/credvend;/,
      /role\s+acs:ram::4444444444444444:role\/reports-reader\s+trusts acs:ram::3333333333333333:role\/reports-hub with the config's ExternalId/,
      /role\s+acs:ram::3333333333333333:role\/uploader/,
      /bucket\s+team-uploads/,
      /KMS secret\s+legacy-ak\s+RAMCredentials/,
    ])
      expect(stdout).toMatch(created)
    expect(stdout).not.toContain(env.LOCAL_TEST_EXTERNAL_ID)
  })

  it("vends the config's own profiles: a chained STS role, an OSS upload into its created bucket, an access key from its created secret", async () => {
    const { sts } = printedEndpoints(stdout)
    const reports = await vend('reports')
    expect(reports.status, JSON.stringify(reports.body)).toBe(200)
    const session = await officialSts(sts, {
      accessKeyId: reports.body.AccessKeyId!,
      accessKeySecret: reports.body.AccessKeySecret!,
      securityToken: reports.body.SecurityToken!,
    }).getCallerIdentity()
    expect(session.arn).toMatch(/^acs:ram::4444444444444444:assumed-role\/reports-reader\//)

    const uploads = await vend('uploads')
    expect(uploads.status, JSON.stringify(uploads.body)).toBe(200)
    expect(uploads.body).toMatchObject({ Bucket: 'team-uploads', Region: 'oss-cn-shanghai' })
    const client = new OSS({
      ...printedAliOssSettings(stdout),
      region: uploads.body.Region,
      bucket: uploads.body.Bucket,
      endpoint: uploads.body.Endpoint,
      accessKeyId: uploads.body.AccessKeyId,
      accessKeySecret: uploads.body.AccessKeySecret,
      stsToken: uploads.body.SecurityToken,
      retryMax: 0,
    })
    await client.put(`${uploads.body.Prefix}report.csv`, Buffer.from('a,b\n'))
    const outside = await client.put('someone-else/report.csv', Buffer.from('x')).then(
      () => 'stored',
      (e: { code?: string }) => e.code,
    )
    expect(outside).toBe('AccessDenied')

    const legacy = await vend('legacy')
    expect(legacy.status, JSON.stringify(legacy.body)).toBe(200)
    const user = await officialSts(sts, {
      accessKeyId: legacy.body.AccessKeyId!,
      accessKeySecret: legacy.body.AccessKeySecret!,
    }).getCallerIdentity()
    expect([user.identityType, user.arn]).toEqual([
      'RAMUser',
      'acs:ram::1234567890123456:user/legacy-ak-ak-user',
    ])
  })

  it("allows --allow-origin beside the profile's own corsOrigins, on the app and the created bucket", async () => {
    const app = `${appUrl}/v1/credentials/uploads`
    for (const origin of [FRONTEND, 'https://app.example.com'])
      expect((await preflight(app, origin)).allowed).toBe(origin)
    expect((await preflight(app, ELSEWHERE)).allowed).toBeNull()
    const object = `${loopback(printedEndpoints(stdout).oss)}/team-uploads/ci/x.txt`
    expect((await preflight(object, FRONTEND, 'PUT')).allowed).toBe(FRONTEND)
    expect((await preflight(object, ELSEWHERE, 'PUT')).status).toBe(403)
  })
})

describe('credvend serve --local --config: refusals', { timeout: CHILD_PROCESS_TIMEOUT_MS }, () => {
  let dir: string
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'credvend-local-bad-'))
  })
  afterAll(() => rm(dir, { recursive: true, force: true }))

  const write = async (name: string, config: unknown) => {
    const path = join(dir, name)
    await writeFile(path, JSON.stringify(config, null, 2))
    return path
  }
  const minimal = {
    region: 'cn-hangzhou',
    sts: { endpoint: 'https://sts.cn-hangzhou.aliyuncs.com' },
    callers: { apiKeys: [{ id: 'ci', sha256: [{ env: 'LOCAL_TEST_KEY_SHA256' }] }] },
    profiles: {
      p: { kind: 'sts', allow: [{ apiKey: 'ci' }], roleArn: 'acs:ram::5555555555555555:role/r' },
    },
  }

  it('a config that does not load exits 1 with its problems and starts nothing', async () => {
    const path = await write('typo.json', { ...minimal, profile: {} })
    const cli = runCli(['serve', '--local', '--config', path], {
      PORT: '0',
      LOCAL_TEST_KEY_SHA256: 'a'.repeat(64),
    })
    expect(await cli.exited).toBe(1)
    expect(cli.stderr()).toContain('ERR_CONFIG_INVALID')
    // The problem is reported at the misspelt key itself.
    expect(cli.stderr()).toMatch(/^\s+profile\b/m)
    expect(cli.stdout()).not.toContain('LOCAL MODE')
  })

  it('a { kmsSecret } reference is refused at its path, and an unset { env } one is named', async () => {
    const kmsRef = await write('kms-ref.json', {
      ...minimal,
      profiles: { p: { ...minimal.profiles.p, externalId: { kmsSecret: 'partner-external-id' } } },
    })
    const kms = runCli(['serve', '--local', '--config', kmsRef], {
      PORT: '0',
      LOCAL_TEST_KEY_SHA256: 'a'.repeat(64),
    })
    expect(await kms.exited).toBe(1)
    expect(kms.stderr()).toMatch(/profiles\.p\.externalId.*kmsSecret.*local mode/)
    expect(kms.stdout()).not.toContain('LOCAL MODE')

    const unset = runCli(['serve', '--local', '--config', await write('ok.json', minimal)], {
      PORT: '0',
    })
    expect(await unset.exited).toBe(1)
    expect(unset.stderr()).toContain('LOCAL_TEST_KEY_SHA256')
    // Placed in the person's own file (which spans many lines), not in the text made for the emulator.
    expect(unset.stderr()).toMatch(/callers\.apiKeys\[0\]\.sha256\[0\] \(line (?!1,)\d+/)
  })

  it('--allow-origin never widens a deployment: without --local it is a usage error, and it takes exact origins only', async () => {
    const path = await write('deployed.json', minimal)
    const deployed = runCli(['serve', '--config', path, '--allow-origin', FRONTEND], {
      PORT: '0',
      LOCAL_TEST_KEY_SHA256: 'a'.repeat(64),
    })
    expect(await deployed.exited).toBe(2)
    expect(deployed.stderr()).toContain('--allow-origin is for local mode (--local) only')
    expect(deployed.stdout()).toBe('')

    const sloppy = runCli(['serve', '--local', '--allow-origin', `${FRONTEND}/`], { PORT: '0' })
    expect(await sloppy.exited).toBe(2)
    expect(sloppy.stderr()).toContain('--allow-origin takes an exact origin')
  })
})
