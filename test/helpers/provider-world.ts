import { mkdtempSync, writeFileSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { exportJWK, generateKeyPair, SignJWT } from 'jose'
import { createImdsEmulator } from '../../lib/emulator/imds.ts'
import { createStsClient } from '../../lib/sts/client.ts'
import { randomHexId } from '../../lib/runtime/deps.ts'
import { listenLoopback } from '../../functions/node/cli/local/local-emulator.ts'
import { nodeRandomBytes } from '../../functions/node/platform/deps.ts'
import { startTestEmulator } from './emulator.ts'

/**
 * Everything the provider tests need on loopback: the STS emulator (with role chains, an OIDC
 * provider and an instance role), an IMDS emulator, a temporary HOME, and deps for the chain.
 */
export const startProviderWorld = async () => {
  const emulator = await startTestEmulator()
  const { world, demo } = emulator
  const account = demo.accountId
  const trustAccount = {
    Version: '1',
    Statement: [
      {
        Effect: 'Allow',
        Action: 'sts:AssumeRole',
        Principal: { RAM: [`acs:ram::${account}:root`] },
      },
    ],
  }
  const mayAssume = [
    { Version: '1', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' }] },
  ]
  const hop1 = world.createRole(account, 'hop-1', {
    trustPolicy: trustAccount,
    policies: mayAssume,
  })
  const hop2 = world.createRole(account, 'hop-2', { trustPolicy: trustAccount })
  const instanceRole = world.createRole(account, 'ecs-vendor', {
    trustPolicy: {
      Version: '1',
      Statement: [
        { Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { Service: ['ecs.aliyuncs.com'] } },
      ],
    },
    policies: mayAssume,
  })
  const { privateKey, publicKey } = await generateKeyPair('RS256')
  const jwk = { ...(await exportJWK(publicKey)), kid: 'rrsa', alg: 'RS256', use: 'sig', kty: 'RSA' }
  const issuer = 'https://oidc-ack-cn-hangzhou.oss-cn-hangzhou.aliyuncs.com/c1234'
  const provider = world.createOidcProvider(account, 'ack', {
    issuer,
    clientIds: ['sts.aliyuncs.com'],
    jwks: { keys: [jwk] },
  })
  const oidcRole = world.createRole(account, 'rrsa-vendor', {
    trustPolicy: {
      Version: '1',
      Statement: [
        {
          Effect: 'Allow',
          Action: 'sts:AssumeRole',
          Principal: { Federated: [provider.arn] },
          Condition: { StringEquals: { 'oidc:sub': 'system:serviceaccount:credvend:server' } },
        },
      ],
    },
  })
  const oidcToken = await new SignJWT({})
    .setProtectedHeader({ alg: 'RS256', kid: 'rrsa' })
    .setIssuer(issuer)
    .setSubject('system:serviceaccount:credvend:server')
    .setAudience('sts.aliyuncs.com')
    .setIssuedAt()
    .setExpirationTime('1h')
    .sign(privateKey)

  const imds = createImdsEmulator(
    world,
    { now: emulator.now, randomBytes: nodeRandomBytes },
    { role: instanceRole },
  )
  const imdsServer = await listenLoopback(imds.app.fetch, 0)
  const home = mkdtempSync(join(tmpdir(), 'credvend-home-'))
  const write = (relative: string, text: string) => {
    const path = join(home, relative)
    writeFileSync(path, text)
    return path
  }
  const tokenFile = write('rrsa-token', oidcToken)
  const sts = createStsClient(
    { endpoint: emulator.stsEndpoint },
    { fetch, now: emulator.now, randomId: randomHexId },
  )
  const readFileOrUndefined = (path: string) => readFile(path, 'utf8').catch(() => undefined)
  const deps = (env: Record<string, string | undefined> = {}) => ({
    env,
    readFile: readFileOrUndefined,
    homeDir: home,
    sts,
    now: emulator.now,
    fetch,
    imdsEndpoint: `http://127.0.0.1:${imdsServer.port}`,
  })
  return {
    emulator,
    world,
    account,
    hop1,
    hop2,
    instanceRole,
    oidcRole,
    provider,
    tokenFile,
    home,
    write,
    sts,
    deps,
    imds,
    imdsEndpoint: `http://127.0.0.1:${imdsServer.port}`,
    close: async () => {
      await imdsServer.close()
      await emulator.close()
    },
  }
}

export type ProviderWorld = Awaited<ReturnType<typeof startProviderWorld>>
