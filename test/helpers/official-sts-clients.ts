/**
 * The official STS clients, each driven exactly as an application would drive it. They are the
 * oracles: if the emulator disagreed with Alibaba's wire format, these would fail against it.
 */
import { createRequire } from 'node:module'
import Sts, { AssumeRoleRequest } from '@alicloud/sts20150401'
import { $OpenApiUtil } from '@alicloud/openapi-core'

const require = createRequire(import.meta.url)
const RPCClient = require('@alicloud/pop-core') as new (config: Record<string, unknown>) => {
  request(
    action: string,
    params: Record<string, unknown>,
    opts: Record<string, unknown>,
  ): Promise<any>
}

export interface KeyPair {
  readonly accessKeyId: string
  readonly accessKeySecret: string
  readonly securityToken?: string
}

interface AssumeRoleParams {
  readonly roleArn: string
  readonly roleSessionName: string
  readonly externalId?: string
  readonly policy?: string
}

export interface OfficialStsClient {
  assumeRole(p: AssumeRoleParams): Promise<KeyPair & { expiration: string }>
  getCallerIdentity(): Promise<{ arn: string; identityType: string }>
}

/** `host:port` of a loopback URL, as the tea SDK wants its endpoint. */
const hostOf = (endpoint: string) => new URL(endpoint).host

const teaClient = (
  endpoint: string,
  keys: KeyPair,
  signatureAlgorithm?: 'v2',
): OfficialStsClient => {
  const client = new Sts(
    new $OpenApiUtil.Config({
      accessKeyId: keys.accessKeyId,
      accessKeySecret: keys.accessKeySecret,
      ...(keys.securityToken ? { securityToken: keys.securityToken } : {}),
      endpoint: hostOf(endpoint),
      protocol: 'http',
      ...(signatureAlgorithm ? { signatureAlgorithm } : {}),
    }),
  )
  return {
    async assumeRole(p) {
      const reply = await client.assumeRole(new AssumeRoleRequest({ ...p }))
      const c = reply.body!.credentials!
      return {
        accessKeyId: c.accessKeyId!,
        accessKeySecret: c.accessKeySecret!,
        securityToken: c.securityToken!,
        expiration: c.expiration!,
      }
    },
    async getCallerIdentity() {
      const reply = await client.getCallerIdentity()
      return { arn: reply.body!.arn!, identityType: reply.body!.identityType! }
    },
  }
}

const popCoreClient = (endpoint: string, keys: KeyPair): OfficialStsClient => {
  const client = new RPCClient({
    accessKeyId: keys.accessKeyId,
    accessKeySecret: keys.accessKeySecret,
    ...(keys.securityToken ? { securityToken: keys.securityToken } : {}),
    endpoint,
    apiVersion: '2015-04-01',
  })
  const post = { method: 'POST', formatParams: false }
  return {
    async assumeRole(p) {
      const reply = await client.request(
        'AssumeRole',
        {
          RoleArn: p.roleArn,
          RoleSessionName: p.roleSessionName,
          ...(p.externalId ? { ExternalId: p.externalId } : {}),
          ...(p.policy ? { Policy: p.policy } : {}),
        },
        post,
      )
      const c = reply.Credentials
      return {
        accessKeyId: c.AccessKeyId,
        accessKeySecret: c.AccessKeySecret,
        securityToken: c.SecurityToken,
        expiration: c.Expiration,
      }
    },
    async getCallerIdentity() {
      const reply = await client.request('GetCallerIdentity', {}, post)
      return { arn: reply.Arn, identityType: reply.IdentityType }
    },
  }
}

/** Each official client kind the emulator must serve unchanged. */
export const OFFICIAL_STS_CLIENTS: Record<
  string,
  (endpoint: string, keys: KeyPair) => OfficialStsClient
> = {
  '@alicloud/sts20150401 (default ACS3)': (e, k) => teaClient(e, k),
  "@alicloud/sts20150401 ('v2' RPC, query)": (e, k) => teaClient(e, k, 'v2'),
  '@alicloud/pop-core (RPC, form body)': popCoreClient,
}

/** The Alibaba error code an official client threw with. */
export const alibabaCode = async (call: Promise<unknown>): Promise<string> => {
  try {
    await call
  } catch (error) {
    const code = (error as { code?: unknown; data?: { Code?: unknown } }).code
    if (typeof code === 'string') return code
    throw error
  }
  throw new Error('expected the call to be refused, but it succeeded')
}
