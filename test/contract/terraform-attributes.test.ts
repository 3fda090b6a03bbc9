import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { placeholderResolver, readConfigFile } from '../../functions/node/cli/config-file.ts'
import { createDemoConfig } from '../../functions/node/cli/local/demo-config.ts'
import { configSchema, type ConfigInput } from '../../lib/config/schema.ts'
import { renderInfra } from '../../lib/infra/render.ts'
import type { RenderedFile } from '../../lib/infra/rendered-file.ts'
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.ts'

/**
 * The oracle: the arguments each Terraform block may hold, copied from the documents linked
 * beside each table (aliyun/terraform-provider-alicloud's website/docs, HashiCorp's language
 * docs). A rendered argument that is not in its table, a deprecated one, a missing required one,
 * or one newer than the pinned provider version fails the build. Versions are the docs'
 * "Available since" / "Deprecated since".
 */
const ALICLOUD_DOCS =
  'https://github.com/aliyun/terraform-provider-alicloud/blob/master/website/docs'

interface Argument {
  readonly required?: boolean
  readonly since?: string
  readonly deprecated?: string
  /** A nested block: its own arguments. */
  readonly block?: Readonly<Record<string, Argument>>
}
interface ResourceDoc {
  readonly doc: string
  readonly since?: string
  readonly args: Readonly<Record<string, Argument>>
}

const RESOURCES: Readonly<Record<string, ResourceDoc>> = {
  alicloud_ram_role: {
    doc: `${ALICLOUD_DOCS}/r/ram_role.html.markdown`,
    args: {
      assume_role_policy_document: { since: '1.252.0' },
      description: {},
      max_session_duration: { since: '1.105.0' },
      role_name: { since: '1.252.0' },
      tags: { since: '1.252.0' },
      force: {},
      name: { deprecated: '1.252.0' },
      document: { deprecated: '1.252.0' },
      version: { deprecated: '1.49.0' },
      ram_users: { deprecated: '1.49.0' },
      services: { deprecated: '1.49.0' },
    },
  },
  alicloud_ram_policy: {
    doc: `${ALICLOUD_DOCS}/r/ram_policy.html.markdown`,
    args: {
      description: {},
      policy_document: { since: '1.114.0' },
      policy_name: {},
      rotate_strategy: { since: '1.114.0' },
      force: {},
      tags: { since: '1.246.0' },
      name: { deprecated: '1.114.0' },
      document: { deprecated: '1.114.0' },
      version: { deprecated: '1.49.0' },
      statement: { deprecated: '1.49.0' },
    },
  },
  alicloud_ram_role_policy_attachment: {
    doc: `${ALICLOUD_DOCS}/r/ram_role_policy_attachment.html.markdown`,
    args: {
      policy_name: { required: true },
      policy_type: { required: true },
      role_name: { required: true },
    },
  },
  alicloud_oss_bucket_cors: {
    doc: `${ALICLOUD_DOCS}/r/oss_bucket_cors.html.markdown`,
    since: '1.223.0',
    args: {
      bucket: { required: true },
      cors_rule: {
        required: true,
        block: {
          allowed_headers: {},
          allowed_methods: { required: true },
          allowed_origins: {},
          expose_header: {},
          max_age_seconds: {},
        },
      },
      response_vary: {},
    },
  },
}

/** The provider block: the provider's index page, "Argument Reference". */
const PROVIDER_DOC = `${ALICLOUD_DOCS}/index.html.markdown`
const PROVIDER_ARGS: Readonly<Record<string, Argument>> = {
  access_key: {},
  secret_key: {},
  security_token: {},
  ecs_role_name: {},
  region: {},
  account_id: {},
  account_type: { since: '1.240.0' },
  shared_credentials_file: { since: '1.49.0' },
  profile: { since: '1.49.0' },
  assume_role: {
    block: {
      role_arn: { required: true },
      policy: {},
      session_name: {},
      session_expiration: {},
      external_id: { since: '1.207.1' },
    },
  },
  assume_role_with_oidc: { since: '1.220.0' },
  credentials_uri: { since: '1.141.0' },
  endpoints: {},
  skip_region_validation: { since: '1.52.0' },
  configuration_source: { since: '1.56.0' },
  protocol: { since: '1.72.0' },
  client_read_timeout: { since: '1.125.0' },
  client_connect_timeout: { since: '1.125.0' },
  max_retry_timeout: { since: '1.183.0' },
  // Generic to every provider block (the same page: "generic provider arguments").
  alias: {},
}

/** https://developer.hashicorp.com/terraform/language/syntax/json: top-level blocks, and "//" comments in block bodies. */
const TOP_LEVEL = [
  '//',
  'terraform',
  'provider',
  'variable',
  'locals',
  'resource',
  'data',
  'output',
  'module',
]
/** https://developer.hashicorp.com/terraform/language/terraform */
const TERRAFORM_SETTINGS = [
  'required_version',
  'required_providers',
  'backend',
  'cloud',
  'experiments',
  'provider_meta',
]
const REQUIRED_PROVIDER = ['source', 'version']
/** https://developer.hashicorp.com/terraform/language/resources/syntax#meta-arguments */
const META_ARGUMENTS = [
  '//',
  'depends_on',
  'count',
  'for_each',
  'provider',
  'lifecycle',
  'provisioner',
  'connection',
]
/** https://developer.hashicorp.com/terraform/language/values/variables#arguments */
const VARIABLE_ARGS = [
  '//',
  'default',
  'type',
  'description',
  'validation',
  'sensitive',
  'nullable',
]
const VALIDATION_ARGS = ['condition', 'error_message']

const version = (v: string) => v.split('.').map(Number) as [number, number, number]
const newer = (a: string, b: string) => {
  const [x, y] = [version(a), version(b)]
  for (let i = 0; i < 3; i++) if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) > (y[i] ?? 0)
  return false
}
/** The lowest version a `~> 1.252` or `>= 1.252.0` constraint admits. */
const floor = (constraint: string) => {
  const m = /^(?:~>|>=)\s*(\d+)\.(\d+)(?:\.(\d+))?$/.exec(constraint)
  return m ? `${m[1]}.${m[2]}.${m[3] ?? 0}` : undefined
}

type Json = Record<string, unknown>

/** The strings Terraform evaluates: not comments, descriptions or error messages. */
const expressions = (node: unknown, out: string[] = []): string[] => {
  if (typeof node === 'string') out.push(node)
  else if (Array.isArray(node)) node.forEach((n) => expressions(n, out))
  else if (node && typeof node === 'object')
    for (const [key, value] of Object.entries(node))
      if (!['//', 'description', 'error_message'].includes(key)) expressions(value, out)
  return out
}
const keysOf = (o: unknown) => Object.keys((o ?? {}) as Json)

/** Every problem of a rendered main.tf.json against the tables above; none means it conforms. */
const terraformProblems = (tf: Json): string[] => {
  const problems: string[] = []
  let needs = '0.0.0'
  const need = (since: string | undefined) => {
    if (since && newer(since, needs)) needs = since
  }
  const checkArgs = (
    body: Json,
    args: Readonly<Record<string, Argument>>,
    allowed: readonly string[],
    where: string,
    doc: string,
  ) => {
    for (const [name, value] of Object.entries(body)) {
      const arg = args[name]
      if (!arg) {
        if (!allowed.includes(name)) problems.push(`${where}.${name}: not an argument (${doc})`)
        continue
      }
      if (arg.deprecated)
        problems.push(`${where}.${name}: deprecated since ${arg.deprecated} (${doc})`)
      need(arg.since)
      if (arg.block) {
        const blocks = Array.isArray(value) ? value : [value]
        blocks.forEach((b, i) =>
          checkArgs(b as Json, arg.block!, ['//'], `${where}.${name}[${i}]`, doc),
        )
      }
    }
    for (const [name, arg] of Object.entries(args))
      if (arg.required && body[name] === undefined)
        problems.push(`${where}: ${name} is required (${doc})`)
  }

  for (const key of keysOf(tf))
    if (!TOP_LEVEL.includes(key)) problems.push(`${key}: not a top-level block`)
  const settings = (tf.terraform ?? {}) as Json
  for (const key of keysOf(settings))
    if (!TERRAFORM_SETTINGS.includes(key)) problems.push(`terraform.${key}: not a setting`)
  const alicloud = ((settings.required_providers ?? {}) as Json).alicloud as Json | undefined
  if (!alicloud) problems.push('terraform.required_providers.alicloud: missing')
  for (const key of keysOf(alicloud))
    if (!REQUIRED_PROVIDER.includes(key))
      problems.push(`required_providers.alicloud.${key}: unknown`)
  if (alicloud?.source !== 'aliyun/alicloud')
    problems.push('required_providers.alicloud.source is not aliyun/alicloud')

  const providerBlocks = ((tf.provider ?? {}) as Json).alicloud
  const aliases = new Set<string>()
  for (const [i, block] of (Array.isArray(providerBlocks)
    ? providerBlocks
    : [providerBlocks]
  ).entries()) {
    checkArgs(block as Json, PROVIDER_ARGS, ['//'], `provider.alicloud[${i}]`, PROVIDER_DOC)
    const alias = (block as Json).alias
    if (typeof alias === 'string') aliases.add(`alicloud.${alias}`)
  }

  const variables = (tf.variable ?? {}) as Record<string, Json>
  for (const [name, body] of Object.entries(variables)) {
    for (const key of keysOf(body))
      if (!VARIABLE_ARGS.includes(key))
        problems.push(`variable.${name}.${key}: not a variable argument`)
    for (const v of (body.validation ?? []) as Json[])
      for (const key of keysOf(v))
        if (!VALIDATION_ARGS.includes(key))
          problems.push(`variable.${name}.validation.${key}: unknown`)
  }

  const resources = (tf.resource ?? {}) as Record<string, Record<string, Json>>
  for (const [type, instances] of Object.entries(resources)) {
    const doc = RESOURCES[type]
    if (!doc) {
      problems.push(`${type}: not a resource in the table`)
      continue
    }
    need(doc.since)
    for (const [name, body] of Object.entries(instances)) {
      checkArgs(body, doc.args, META_ARGUMENTS, `${type}.${name}`, doc.doc)
      if (body.provider !== undefined && !aliases.has(body.provider as string))
        problems.push(`${type}.${name}.provider: no provider block has alias ${body.provider}`)
      const seconds = body.max_session_duration
      if (
        seconds !== undefined &&
        !(Number.isInteger(seconds) && (seconds as number) >= 3600 && (seconds as number) <= 43_200)
      )
        problems.push(`${type}.${name}.max_session_duration: ${seconds} is outside 3600–43200`)
    }
  }

  // Every var.NAME an expression reads is declared.
  for (const expression of expressions(tf))
    for (const [, name] of expression.matchAll(/var\.([A-Za-z_][A-Za-z0-9_]*)/g))
      if (!variables[name!]) problems.push(`var.${name}: not declared`)

  const pinned = floor(String(alicloud?.version ?? ''))
  if (!pinned)
    problems.push(`required_providers.alicloud.version ${alicloud?.version}: no lower bound`)
  else if (newer(needs, pinned))
    problems.push(
      `required_providers.alicloud.version admits ${pinned}, but an argument needs ${needs}`,
    )
  return problems
}

const tfOf = (files: readonly RenderedFile[]) =>
  structuredClone(files.find((f) => f.path === 'terraform/main.tf.json')!.json) as Json
const docOf = (files: readonly RenderedFile[], path: string) => {
  const f = files.find((x) => x.path === path)
  if (!f) throw new Error(`not rendered: ${path}`)
  return f
}

/** What Terraform's file() and replace() make of an assume_role_policy_document, done offline. */
const applyTrust = (
  expression: string,
  files: readonly RenderedFile[],
  values: Readonly<Record<string, string>>,
) => {
  const path = /file\("\$\{path\.module\}\/\.\.\/([^"]+)"\)/.exec(expression)?.[1]
  if (!path) throw new Error(`reads no file: ${expression}`)
  let text = `${JSON.stringify(docOf(files, path).json, null, 2)}\n`
  for (const [, search, variable] of expression.matchAll(
    /, ("(?:[^"\\]|\\.)*"), jsonencode\(var\.([A-Za-z0-9_]+)\)\)/g,
  ))
    text = text.replaceAll(JSON.parse(search!) as string, JSON.stringify(values[variable!]))
  return JSON.parse(text) as Json
}

let emu: TestEmulator
let demo: Awaited<ReturnType<typeof createDemoConfig>>
let demoConfig: ConfigInput
const rendered = new Map<string, RenderedFile[]>()

beforeAll(async () => {
  emu = await startTestEmulator()
  demo = await createDemoConfig(emu, ['http://localhost:5173'])
  demoConfig = { ...demo.config, sourcePrincipal: 'acs:ram::1234567890123456:role/credvend-fc' }
  rendered.set('demo', renderInfra(configSchema.parse(demoConfig)))
  for (const file of ['infra/config/public.json', 'infra/config/internal.json'])
    rendered.set(file, renderInfra((await readConfigFile(file, placeholderResolver)).config))
})
afterAll(async () => {
  await emu.close()
})

describe('rendered Terraform against the alicloud provider docs', () => {
  it.each(['demo', 'infra/config/public.json', 'infra/config/internal.json'])(
    '%s: every block, argument and the provider version are documented',
    (name) => {
      expect(terraformProblems(tfOf(rendered.get(name)!))).toEqual([])
    },
  )

  it('fails a renamed argument, a deprecated one, a missing required one and a version too old', () => {
    const tf = tfOf(rendered.get('demo')!)
    const resource = tf.resource as Record<string, Record<string, Json>>
    const cors = (resource.alicloud_oss_bucket_cors!.demo_bucket!.cors_rule as Json[])[0]!
    cors.expose_headers = cors.expose_header
    delete cors.expose_header
    const role = resource.alicloud_ram_role!.credvend_fc!
    role.name = role.role_name
    delete role.role_name
    delete resource.alicloud_ram_role_policy_attachment!.credvend_fc!.policy_type
    ;((tf.terraform as Json).required_providers as Record<string, Json>).alicloud!.version =
      '~> 1.223'
    expect(terraformProblems(tf)).toEqual([
      `alicloud_ram_role.credvend_fc.name: deprecated since 1.252.0 (${RESOURCES.alicloud_ram_role!.doc})`,
      `alicloud_ram_role_policy_attachment.credvend_fc: policy_type is required (${RESOURCES.alicloud_ram_role_policy_attachment!.doc})`,
      `alicloud_oss_bucket_cors.demo_bucket.cors_rule[0].expose_headers: not an argument (${RESOURCES.alicloud_oss_bucket_cors!.doc})`,
      'required_providers.alicloud.version admits 1.223.0, but an argument needs 1.252.0',
    ])
  })

  it('creates the member account’s roles through its provider alias, which assumes a role there named by a variable', () => {
    const files = rendered.get('demo')!
    const tf = tfOf(files)
    const alias = ((tf.provider as Json).alicloud as Json[]).find(
      (p) => p.alias === 'account_2222222222222222',
    )
    expect(alias).toEqual({
      alias: 'account_2222222222222222',
      region: 'cn-hangzhou',
      assume_role: {
        role_arn: '${var.deploy_role_arn_2222222222222222}',
        session_name: 'credvend-infra',
      },
    })
    expect(JSON.stringify((tf.variable as Json).deploy_role_arn_2222222222222222)).toContain(
      '^acs:ram::2222222222222222:role/',
    )
    const roles = (tf.resource as Record<string, Record<string, Json>>).alicloud_ram_role!
    const byAccount = Object.fromEntries(
      Object.values(roles).map((r) => [
        r.role_name,
        `${r.provider ?? 'default'} ${/roles\/(\d+)-/.exec(String(r.assume_role_policy_document))?.[1] ?? 'execution'}`,
      ]),
    )
    expect(byAccount).toEqual({
      'credvend-fc': 'default execution',
      'credvend-demo': 'default 1234567890123456',
      'credvend-hub': 'default 1234567890123456',
      'credvend-partner-demo': 'alicloud.account_2222222222222222 2222222222222222',
      'credvend-partner-via-hub': 'alicloud.account_2222222222222222 2222222222222222',
    })
  })

  it('takes each ExternalId from a sensitive variable into the trust policy, never a placeholder and never a value', () => {
    const files = rendered.get('demo')!
    const tf = tfOf(files)
    const text = JSON.stringify(tf)
    for (const secret of Object.values(demo.env)) expect(text).not.toContain(secret)
    expect((tf.variable as Record<string, Json>).credvend_demo_external_id).toMatchObject({
      type: 'string',
      sensitive: true,
    })
    const roles = (tf.resource as Record<string, Record<string, Json>>).alicloud_ram_role!
    const values = { credvend_demo_external_id: emu.demo.externalId }
    for (const role of Object.values(roles)) {
      const applied = applyTrust(String(role.assume_role_policy_document), files, values)
      expect(JSON.stringify(applied)).not.toContain('{{')
      const file = /\.\.\/([^"]+)"/.exec(String(role.assume_role_policy_document))![1]!
      const reviewed = JSON.stringify(docOf(files, file).json)
      // What is applied is the reviewed file with the value where its placeholder was.
      expect(JSON.stringify(applied)).toBe(
        reviewed.replaceAll('{{env:CREDVEND_DEMO_EXTERNAL_ID}}', emu.demo.externalId),
      )
    }
    const partner = applyTrust(
      String(roles.credvend_partner_demo_2222222222222222!.assume_role_policy_document),
      files,
      values,
    )
    expect(JSON.stringify(partner)).toContain(`"sts:ExternalId":"${emu.demo.externalId}"`)
    // jsonencode keeps the document JSON whatever the value holds.
    const odd = applyTrust(
      String(roles.credvend_partner_demo_2222222222222222!.assume_role_policy_document),
      files,
      { credvend_demo_external_id: 'a"b\\c' },
    )
    expect(JSON.stringify(odd)).toContain('"sts:ExternalId":"a\\"b\\\\c"')
  })

  it('makes a KMS-held ExternalId a sensitive variable too, and refuses one it cannot name', () => {
    const profiles = demoConfig.profiles as Record<string, Record<string, unknown>>
    const withKms = (kmsSecret: string) =>
      configSchema.parse({
        ...demoConfig,
        profiles: {
          ...profiles,
          'demo-partner': { ...profiles['demo-partner'], externalId: { kmsSecret } },
        },
      })
    const files = renderInfra(withKms('partner/external-id'))
    const tf = tfOf(files)
    expect((tf.variable as Record<string, Json>).kmssecret_partner_external_id).toMatchObject({
      type: 'string',
      sensitive: true,
    })
    const role = (tf.resource as Record<string, Record<string, Json>>).alicloud_ram_role!
      .credvend_partner_demo_2222222222222222!
    const applied = applyTrust(String(role.assume_role_policy_document), files, {
      kmssecret_partner_external_id: 'from-kms',
    })
    expect(JSON.stringify(applied)).toContain('"sts:ExternalId":"from-kms"')
    expect(terraformProblems(tf)).toEqual([])
    expect(() => renderInfra(withKms('odd{name}'))).toThrow(/cannot carry/)
  })

  it('asks each role for the longest session its profiles vend, at least 3,600 s', () => {
    const profiles = demoConfig.profiles as Record<string, Record<string, unknown>>
    const longer = renderInfra(
      configSchema.parse({
        ...demoConfig,
        profiles: {
          ...profiles,
          'demo-partner': {
            ...profiles['demo-partner'],
            durationSeconds: { default: 3600, max: 7200 },
            allowAboveOneHour: true,
          },
        },
      }),
    )
    const seconds = (files: RenderedFile[]) =>
      Object.fromEntries(
        Object.values(
          (tfOf(files).resource as Record<string, Record<string, Json>>).alicloud_ram_role!,
        ).map((r) => [r.role_name, r.max_session_duration]),
      )
    expect(seconds(rendered.get('demo')!)).toEqual({
      'credvend-fc': 3600,
      'credvend-demo': 3600,
      'credvend-hub': 3600,
      'credvend-partner-demo': 3600,
      'credvend-partner-via-hub': 3600,
    })
    expect(seconds(longer)['credvend-partner-demo']).toBe(7200)
    expect(terraformProblems(tfOf(longer))).toEqual([])
  })

  it('applies a bucket’s CORS only with the operator’s consent, and says why in the file', () => {
    const tf = tfOf(rendered.get('demo')!)
    const cors = (tf.resource as Record<string, Record<string, Json>>).alicloud_oss_bucket_cors!
      .demo_bucket!
    expect(cors.count).toBe('${var.replace_cors_rules_demo_bucket ? 1 : 0}')
    expect(cors['//']).toMatch(/REPLACES ALL of the bucket's CORS rules/)
    expect((cors.cors_rule as Json[])[0]).toMatchObject({
      allowed_origins: ['http://localhost:5173'],
      expose_header: ['ETag', 'x-oss-request-id'],
    })
    // No default: plan stops until the operator decides.
    expect((tf.variable as Record<string, Json>).replace_cors_rules_demo_bucket).toEqual({
      type: 'bool',
      description: cors['//'],
    })
  })
})
