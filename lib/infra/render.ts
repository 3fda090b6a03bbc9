import type { Config } from '../config/schema.ts'
import { VendError } from '../errors.ts'
import { trustPoliciesFor } from '../partners/trust-policies.ts'
import { permissionCeiling } from './permission-ceiling.ts'

/** One rendered file: its path under the output directory and its JSON. @public */
export interface RenderedFile {
  readonly path: string
  readonly json: unknown
}

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

/**
 * Everything on the RAM and OSS side that a configuration implies (infra/DEPLOY.md,
 * 'Infrastructure from the config'): plain policy JSON — the verified artifact — and a thin Terraform (JSON syntax)
 * wrapper over it.
 * - credvend's execution role: trusted by Function Compute; allowed exactly `sts:AssumeRole` on the
 *   first link of every chain, `kms:GetSecretValue` on the secrets the config names, and writing
 *   its logs;
 * - each assumed role: its trust policy (the partner trust-policy renderer: one trusted principal, ExternalId
 *   references as `{{env:NAME}}`) and its permission ceiling from the profile's template;
 * - each upload bucket's CORS, exposing ETag for browser multipart.
 * Secrets never appear: ExternalIds stay references.
 * @public
 */
export const renderInfra = (config: Config): RenderedFile[] => {
  if (!config.sourcePrincipal || !/:role\//.test(config.sourcePrincipal)) {
    throw new VendError(
      'ERR_CONFIG_INVALID',
      "sourcePrincipal must name credvend's execution role (acs:ram::<account>:role/<name>) to render infrastructure",
    )
  }
  const files: RenderedFile[] = []
  const exec = roleParts(config.sourcePrincipal)
  const firstLinks = new Set<string>()
  const secrets = secretRefs(config, new Set())
  const ceilings = new Map<string, unknown>()
  const buckets = new Map<string, Set<string>>()
  for (const profile of Object.values(config.profiles)) {
    if (profile.kind === 'access-key') {
      secrets.add(profile.secretName)
      continue
    }
    firstLinks.add(profile.via[0]?.roleArn ?? profile.roleArn)
    const ceiling = permissionCeiling(profile)
    if (ceiling) {
      const seen = ceilings.get(profile.roleArn) as { Statement: unknown[] } | undefined
      ceilings.set(
        profile.roleArn,
        seen ? { Version: '1', Statement: [...seen.Statement, ...ceiling.Statement] } : ceiling,
      )
    }
    if (profile.kind === 'oss-upload') {
      const origins = buckets.get(profile.bucket) ?? new Set<string>()
      profile.corsOrigins.forEach((o) => origins.add(o))
      buckets.set(profile.bucket, origins)
    }
  }
  // Hubs assume the next link: their permission is exactly that.
  for (const profile of Object.values(config.profiles)) {
    if (profile.kind === 'access-key') continue
    const chain = [...profile.via.map((h) => h.roleArn), profile.roleArn]
    chain.slice(0, -1).forEach((hub, i) => {
      const seen = ceilings.get(hub) as { Statement: unknown[] } | undefined
      const statement = { Effect: 'Allow', Action: 'sts:AssumeRole', Resource: chain[i + 1] }
      ceilings.set(hub, { Version: '1', Statement: [...(seen?.Statement ?? []), statement] })
    })
  }
  files.push({
    path: 'policies/execution-role-trust.json',
    json: {
      Version: '1',
      Statement: [
        { Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { Service: ['fc.aliyuncs.com'] } },
      ],
    },
  })
  const permissions: unknown[] = [
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
  files.push({
    path: 'policies/execution-role-permissions.json',
    json: { Version: '1', Statement: permissions },
  })
  for (const trust of trustPoliciesFor(config)) {
    files.push({ path: `policies/roles/${fileStem(trust.roleArn)}-trust.json`, json: trust.policy })
    const ceiling = ceilings.get(trust.roleArn)
    if (ceiling)
      files.push({
        path: `policies/roles/${fileStem(trust.roleArn)}-permissions.json`,
        json: ceiling,
      })
  }
  for (const [bucket, origins] of [...buckets].sort(([a], [b]) => a.localeCompare(b))) {
    files.push({
      path: `oss/${bucket}-cors.json`,
      json: {
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
    })
  }
  files.push({ path: 'terraform/main.tf.json', json: terraform(config, files) })
  return files.sort((a, b) => a.path.localeCompare(b.path))
}

const tfName = (text: string) => text.replace(/[^A-Za-z0-9_]/g, '_')

/** A thin alicloud-provider wrapper: every document comes from the policy files above, unchanged. */
const terraform = (config: Config, files: readonly RenderedFile[]) => {
  const exec = roleParts(config.sourcePrincipal!)
  const resource: Record<string, Record<string, unknown>> = {
    alicloud_ram_role: {},
    alicloud_ram_policy: {},
    alicloud_ram_role_policy_attachment: {},
    alicloud_oss_bucket_cors: {},
  }
  const role = (name: string, trustFile: string, permissionsFile: string | undefined) => {
    resource.alicloud_ram_role![tfName(name)] = {
      role_name: name,
      assume_role_policy_document: `\${file("\${path.module}/../${trustFile}")}`,
    }
    if (!permissionsFile) return
    resource.alicloud_ram_policy![tfName(name)] = {
      policy_name: `${name}-credvend`,
      policy_document: `\${file("\${path.module}/../${permissionsFile}")}`,
    }
    resource.alicloud_ram_role_policy_attachment![tfName(name)] = {
      role_name: `\${alicloud_ram_role.${tfName(name)}.role_name}`,
      policy_name: `\${alicloud_ram_policy.${tfName(name)}.policy_name}`,
      policy_type: 'Custom',
    }
  }
  role(exec.name, 'policies/execution-role-trust.json', 'policies/execution-role-permissions.json')
  for (const f of files) {
    const m = /^policies\/roles\/(\d+)-(.+)-trust\.json$/.exec(f.path)
    if (!m) continue
    const permissions = `policies/roles/${m[1]}-${m[2]}-permissions.json`
    role(m[2]!, f.path, files.some((x) => x.path === permissions) ? permissions : undefined)
  }
  for (const f of files) {
    const m = /^oss\/(.+)-cors\.json$/.exec(f.path)
    if (!m) continue
    const rule = (f.json as { CORSRule: Array<Record<string, unknown>> }).CORSRule[0]!
    resource.alicloud_oss_bucket_cors![tfName(m[1]!)] = {
      bucket: m[1],
      cors_rule: [
        {
          allowed_origins: rule.AllowedOrigin,
          allowed_methods: rule.AllowedMethod,
          allowed_headers: rule.AllowedHeader,
          expose_headers: rule.ExposeHeader,
          max_age_seconds: rule.MaxAgeSeconds,
        },
      ],
    }
  }
  return {
    '//': 'Rendered by credvend infra render. Roles in other accounts (partners, Resource Directory members) need a provider alias per account; see infra/DEPLOY.md.',
    terraform: { required_providers: { alicloud: { source: 'aliyun/alicloud' } } },
    provider: { alicloud: { region: config.region } },
    resource: Object.fromEntries(
      Object.entries(resource).filter(([, v]) => Object.keys(v).length > 0),
    ),
  }
}

/** Differences between a rendered set and what a directory holds: missing, changed, extra. @public */
export const infraDrift = (
  expected: readonly RenderedFile[],
  actual: ReadonlyMap<string, string>,
): string[] => {
  const problems: string[] = []
  const wanted = new Map(expected.map((f) => [f.path, `${JSON.stringify(f.json, null, 2)}\n`]))
  for (const [path, text] of wanted) {
    const found = actual.get(path)
    if (found === undefined) problems.push(`missing: ${path}`)
    else if (found !== text) problems.push(`differs: ${path}`)
  }
  for (const path of actual.keys())
    if (!wanted.has(path)) problems.push(`not implied by the config: ${path}`)
  return problems
}
