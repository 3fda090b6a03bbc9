import type { Config } from '../config/schema.ts'
import { VendError } from '../errors.ts'
import { trustPoliciesFor } from '../partners/trust-policies.ts'
import { roleCeilings } from './role-ceilings.ts'

import type { PolicyDocument } from './policy-document.ts'

type Statement = PolicyDocument['Statement'][number]

/** One RAM role a deployment needs, in the account that owns it. @public */
export interface InfraRole {
  readonly account: string
  readonly name: string
  /** The trust policy, ExternalIds still `{{env:…}}` / `{{kmsSecret:…}}` placeholders. */
  readonly trust: unknown
  readonly trustFile: string
  readonly permissions?: PolicyDocument
  readonly permissionsFile?: string
  /** Seconds: the longest session any profile asks of this role, within RAM's 3,600–43,200. */
  readonly maxSessionDuration: number
}

/** One upload bucket's CORS rule and where the bucket lives. @public */
export interface InfraBucket {
  readonly name: string
  /** Assumed to be the account of the profiles' role: a role reads its own account's buckets. */
  readonly account: string
  /** The provider region (`cn-hangzhou`), from the profile's OSS region (`oss-cn-hangzhou`). */
  readonly region: string
  readonly corsFile: string
  readonly cors: { readonly CORSRule: readonly Record<string, unknown>[] }
}

/** Everything on the RAM and OSS side that a configuration implies. @public */
export interface InfraModel {
  readonly region: string
  /** The account of credvend's execution role: the operator's own, reached without an alias. */
  readonly homeAccount: string
  /** The execution role first, then every assumed role by account and name. */
  readonly roles: readonly InfraRole[]
  readonly buckets: readonly InfraBucket[]
}

const MIN_SESSION = 3600
const MAX_SESSION = 43_200

const roleParts = (arn: string) => {
  const [, , , account, resource] = arn.split(':')
  return { account: account!, name: resource!.split('/')[1]! }
}
const fileStem = (arn: string) => `${roleParts(arn).account}-${roleParts(arn).name}`

const secretRefs = (node: unknown, out: Set<string>): Set<string> => {
  if (Array.isArray(node)) node.forEach((n) => secretRefs(n, out))
  else if (node && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      if (k === 'kmsSecret' && typeof v === 'string') out.add(v)
      else secretRefs(v, out)
    }
  }
  return out
}

const longest = (seen: Map<string, number>, arn: string, seconds: number) =>
  seen.set(arn, Math.max(seen.get(arn) ?? 0, seconds))

/**
 * The roles, policies and bucket rules a configuration implies (infra/DEPLOY.md, 'Infrastructure
 * from the config'), once, so the policy files, the Terraform and the ROS templates are three
 * views of one model and cannot disagree.
 * - credvend's execution role: trusted by Function Compute; allowed exactly `sts:AssumeRole` on
 *   the first link of every chain, `kms:GetSecretValue` on the secrets the config names, and
 *   writing its logs;
 * - each assumed role: its trust policy (the partner trust-policy renderer: one trusted principal,
 *   ExternalIds as references) and its permission ceiling from the profile's template; hubs may
 *   assume the next link and nothing else;
 * - each upload bucket's CORS, exposing ETag for browser multipart.
 * @public
 */
export const infraModel = (config: Config): InfraModel => {
  if (!config.sourcePrincipal || !/:role\//.test(config.sourcePrincipal)) {
    throw new VendError(
      'ERR_CONFIG_INVALID',
      "sourcePrincipal must name credvend's execution role (acs:ram::<account>:role/<name>) to render infrastructure",
    )
  }
  const exec = roleParts(config.sourcePrincipal)
  const firstLinks = new Set<string>()
  const secrets = secretRefs(config, new Set())
  const ceilings = roleCeilings(config)
  const sessions = new Map<string, number>()
  const buckets = new Map<string, { account: string; region: string; origins: Set<string> }>()
  for (const profile of Object.values(config.profiles)) {
    if (profile.kind === 'access-key') {
      secrets.add(profile.secretName)
      continue
    }
    firstLinks.add(profile.via[0]?.roleArn ?? profile.roleArn)
    const d = profile.durationSeconds
    longest(sessions, profile.roleArn, typeof d === 'number' ? d : d.max)
    // A hub's session serves every vend behind it for as long as the hop asks.
    for (const hop of profile.via) longest(sessions, hop.roleArn, hop.durationSeconds)
    if (profile.kind === 'oss-upload') {
      const account = roleParts(profile.roleArn).account
      const region = profile.region.replace(/^oss-/, '')
      const seen = buckets.get(profile.bucket)
      if (seen && (seen.account !== account || seen.region !== region))
        throw new VendError(
          'ERR_CONFIG_INVALID',
          `bucket ${profile.bucket} is used from two accounts or regions; its CORS cannot be rendered for one`,
        )
      const entry = seen ?? { account, region, origins: new Set<string>() }
      profile.corsOrigins.forEach((o) => entry.origins.add(o))
      buckets.set(profile.bucket, entry)
    }
  }
  const permissions: Statement[] = [
    { Effect: 'Allow', Action: 'sts:AssumeRole', Resource: [...firstLinks].sort() },
  ]
  if (secrets.size > 0)
    permissions.push({
      Effect: 'Allow',
      Action: 'kms:GetSecretValue',
      Resource: [...secrets]
        .sort()
        .map((s) =>
          s.startsWith('acs:kms:') ? s : `acs:kms:${config.region}:${exec.account}:secret/${s}`,
        ),
    })
  // FC writes the function's logs to SLS with the execution role.
  permissions.push({
    Effect: 'Allow',
    Action: ['log:PostLogStoreLogs'],
    Resource: `acs:log:${config.region}:${exec.account}:project/*/logstore/*`,
  })
  const bounded = (arn: string) =>
    Math.min(MAX_SESSION, Math.max(MIN_SESSION, sessions.get(arn) ?? MIN_SESSION))
  const assumed = trustPoliciesFor(config)
    .map((trust): InfraRole => {
      const { account, name } = roleParts(trust.roleArn)
      const ceiling = ceilings.get(trust.roleArn)
      const stem = `policies/roles/${fileStem(trust.roleArn)}`
      return {
        account,
        name,
        trust: trust.policy,
        trustFile: `${stem}-trust.json`,
        ...(ceiling ? { permissions: ceiling, permissionsFile: `${stem}-permissions.json` } : {}),
        maxSessionDuration: bounded(trust.roleArn),
      }
    })
    .sort((a, b) => a.account.localeCompare(b.account) || a.name.localeCompare(b.name))
  const execution: InfraRole = {
    account: exec.account,
    name: exec.name,
    trust: {
      Version: '1',
      Statement: [
        { Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { Service: ['fc.aliyuncs.com'] } },
      ],
    },
    trustFile: 'policies/execution-role-trust.json',
    permissions: { Version: '1', Statement: permissions },
    permissionsFile: 'policies/execution-role-permissions.json',
    // FC hands the function a session of this role; no profile asks it for more.
    maxSessionDuration: MIN_SESSION,
  }
  return {
    region: config.region,
    homeAccount: exec.account,
    roles: [execution, ...assumed],
    buckets: [...buckets]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([name, { account, region, origins }]) => ({
        name,
        account,
        region,
        corsFile: `oss/${name}-cors.json`,
        cors: {
          CORSRule: [
            {
              AllowedOrigin: [...origins].sort(),
              AllowedMethod: ['GET', 'PUT', 'POST', 'DELETE', 'HEAD'],
              AllowedHeader: ['*'],
              ExposeHeader: ['ETag', 'x-oss-request-id'],
              MaxAgeSeconds: 600,
            },
          ],
        },
      })),
  }
}
