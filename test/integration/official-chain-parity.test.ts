import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { serverChain } from '../../lib/credentials/default-chains.ts'
import { formatTimestamp } from '../../lib/signing/timestamp.ts'
import { listenLoopback } from '../../functions/node/cli/local/local-emulator.ts'
import { startProviderWorld, type ProviderWorld } from '../helpers/provider-world.ts'
import { readFile } from 'node:fs/promises'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'

/**
 * Same environment, same choice: for each configuration, the official `@alicloud/credentials`
 * default chain and credvend's chain must pick the same kind of source. The official package's
 * outbound HTTP (httpx) is redirected to the emulators on loopback — STS for role and OIDC
 * exchanges, IMDS for EcsRamRole — and the loopback guard stops anything else.
 */
const require = createRequire(import.meta.url)
const httpx = require('httpx') as { request: (url: string, opts: unknown) => Promise<unknown> }
const { DefaultCredentialsProvider } = require('@alicloud/credentials') as {
  DefaultCredentialsProvider: {
    builder(): {
      build(): { getCredentials(): Promise<{ providerName: string; accessKeyId: string }> }
    }
  }
}

/** Official provider name → the source tag credvend gives the same choice. */
// EcsRamRole profiles are left out: with ALIBABA_CLOUD_ECS_METADATA_DISABLED=true (required here,
// so nothing can reach 100.100.100.200) the official chain refuses them by design; credvend's
// handling of them is covered against the IMDS emulator in providers.test.ts.
const SAME_SOURCE: Record<string, RegExp> = {
  'default/env': /^env$/,
  'default/oidc_role_arn': /^oidc$/,
  'default/cli_profile': /^cli-profile:/,
  'default/profile': /^ini-file:/,
  'default/credential_uri': /^credentials-uri$/,
}

let w: ProviderWorld
let uriServer: { port: number; close: () => Promise<void> }
const originalRequest = httpx.request
const redirected: string[] = []
const savedEnv = { ...process.env }
const run = promisify(execFile)

beforeAll(async () => {
  w = await startProviderWorld()
  httpx.request = (url: string, opts: unknown) => {
    const target = url
      .replace(/^https:\/\/sts(-vpc)?(\.[a-z0-9-]+)?\.aliyuncs\.com/, w.emulator.stsEndpoint)
      .replace(/^http:\/\/100\.100\.100\.200/, w.imdsEndpoint)
    redirected.push(new URL(url).host)
    return originalRequest(target, opts)
  }
  const issued = await w.sts.assumeRole(
    { ...w.emulator.demo.vendor, source: 't' },
    { roleArn: w.hop1.arn, roleSessionName: 'uri' },
  )
  uriServer = await listenLoopback(
    () =>
      Response.json({
        Code: 'Success',
        AccessKeyId: issued.credentials.accessKeyId,
        AccessKeySecret: issued.credentials.accessKeySecret,
        SecurityToken: issued.credentials.securityToken,
        Expiration: formatTimestamp(issued.credentials.expiration),
      }),
    0,
  )
})
/** Restores the environment in place: replacing the process.env object would detach it from the real one. */
const restoreEnv = () => {
  for (const name of Object.keys(process.env)) if (!(name in savedEnv)) delete process.env[name]
  Object.assign(process.env, savedEnv)
}
afterAll(async () => {
  httpx.request = originalRequest
  restoreEnv()
  await uriServer?.close()
  await w?.close()
})
afterEach(restoreEnv)

const vendor = () => w.emulator.demo.vendor
const externalCommand = () =>
  `printf '%s' '${JSON.stringify({ mode: 'AK', access_key_id: vendor().accessKeyId, access_key_secret: vendor().accessKeySecret })}'`

type Case = { env: Record<string, string>; cli?: object; ini?: string }
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
      cli: {
        current: 'p',
        profiles: [
          {
            name: 'p',
            mode: 'AK',
            access_key_id: vendor().accessKeyId,
            access_key_secret: vendor().accessKeySecret,
          },
        ],
      },
    }),
  ],
  [
    'config.json StsToken',
    () => ({
      env: {},
      cli: {
        current: 'p',
        profiles: [
          {
            name: 'p',
            mode: 'StsToken',
            access_key_id: 'STS.x',
            access_key_secret: 'y',
            sts_token: 'z',
          },
        ],
      },
    }),
  ],
  [
    'config.json RamRoleArn',
    () => ({
      env: {},
      cli: {
        current: 'p',
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
        ],
      },
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
      cli: {
        current: 'p',
        profiles: [
          {
            name: 'p',
            mode: 'OIDC',
            ram_role_arn: w.oidcRole.arn,
            oidc_provider_arn: w.provider.arn,
            oidc_token_file: w.tokenFile,
            ram_session_name: 'parity',
          },
        ],
      },
    }),
  ],
  [
    'config.json External',
    () => ({
      env: {},
      cli: {
        current: 'p',
        profiles: [{ name: 'p', mode: 'External', process_command: externalCommand() }],
      },
    }),
  ],
  [
    'INI access_key',
    () => ({
      env: {},
      ini: `[default]\nenable = true\ntype = access_key\naccess_key_id = ${vendor().accessKeyId}\naccess_key_secret = ${vendor().accessKeySecret}\n`,
    }),
  ],
  [
    'INI ram_role_arn',
    () => ({
      env: {},
      ini: `[default]\nenable = true\ntype = ram_role_arn\naccess_key_id = ${vendor().accessKeyId}\naccess_key_secret = ${vendor().accessKeySecret}\nrole_arn = ${w.hop1.arn}\nrole_session_name = parity\n`,
    }),
  ],
  [
    'env wins over config.json',
    () => ({
      env: {
        ALIBABA_CLOUD_ACCESS_KEY_ID: vendor().accessKeyId,
        ALIBABA_CLOUD_ACCESS_KEY_SECRET: vendor().accessKeySecret,
      },
      cli: {
        current: 'p',
        profiles: [{ name: 'p', mode: 'AK', access_key_id: 'LTAIother', access_key_secret: 'x' }],
      },
    }),
  ],
  [
    'config.json wins over INI',
    () => ({
      env: {},
      cli: {
        current: 'p',
        profiles: [
          {
            name: 'p',
            mode: 'AK',
            access_key_id: vendor().accessKeyId,
            access_key_secret: vendor().accessKeySecret,
          },
        ],
      },
      ini: '[default]\ntype = access_key\naccess_key_id = LTAIini\naccess_key_secret = x\n',
    }),
  ],
  [
    'credentials URI',
    () => ({
      env: { ALIBABA_CLOUD_CREDENTIALS_URI: `http://127.0.0.1:${uriServer.port}/credentials` },
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
    Object.assign(process.env, { HOME: home, ALIBABA_CLOUD_ECS_METADATA_DISABLED: 'true' }, c.env)

    const official = await DefaultCredentialsProvider.builder().build().getCredentials()
    const ours = await serverChain({
      env: { ...process.env },
      fetch,
      now: w.emulator.now,
      sts: w.sts,
      homeDir: home,
      imdsEndpoint: w.imdsEndpoint,
      readFile: (path) => readFile(path, 'utf8').catch(() => undefined),
      runProcess: async (command) => (await run('/bin/sh', ['-c', command])).stdout,
    })()
    const expected = SAME_SOURCE[official.providerName]
    expect(expected, `no mapping for official ${official.providerName}`).toBeDefined()
    expect(ours.source).toMatch(expected!)
  })

  it('sent nothing to 100.100.100.200 or Alibaba: every official request was redirected to loopback', () => {
    expect(redirected.length).toBeGreaterThan(0)
    expect(
      redirected.every((host) =>
        /aliyuncs\.com$|^100\.100\.100\.200$|^127\.0\.0\.1:\d+$/.test(host),
      ),
    ).toBe(true)
  })
})
