import { corsConsentVariable, corsReplacementWarning } from './cors-replacement-warning.ts'
import type { InfraBucket, InfraModel, InfraRole } from './infra-model.ts'
import { managedPolicyName } from './managed-policy-name.ts'
import { secretPlaceholders, type SecretPlaceholder } from './secret-placeholders.ts'
import { terraformName } from './terraform-name.ts'

/**
 * The provider the rendered arguments exist in. The floor is the newest "Available since" among
 * them in aliyun/terraform-provider-alicloud's website/docs/r/*.html.markdown: `role_name` and
 * `assume_role_policy_document` on alicloud_ram_role, v1.252.0 (before it the role took the now
 * deprecated `name` and `document`). The rest are older: max_session_duration v1.105.0,
 * alicloud_ram_policy's policy_name/policy_document v1.114.0, alicloud_oss_bucket_cors v1.223.0.
 * `~>` stays within major version 1; the lock file the first `terraform init` writes pins the
 * exact build, and is meant to be committed.
 */
const ALICLOUD = { source: 'aliyun/alicloud', version: '~> 1.252' }

/**
 * Validation error messages lost their sentence-format rule in 1.2 (hashicorp/terraform#24214);
 * sensitive variables and validation blocks are older.
 */
const TERRAFORM_VERSION = '>= 1.2.0'

/** STS's ExternalId alphabet and length, as the provider documents its assume_role.external_id. */
const EXTERNAL_ID_CHECK = (v: string) =>
  `\${length(${v}) >= 2 && length(${v}) <= 1224 && can(regex("^[A-Za-z0-9=,.@:/_-]+$", ${v}))}`

const fileOf = (path: string) => `file("\${path.module}/../${path}")`

const deployRoleVariable = (account: string) => `deploy_role_arn_${account}`

type Block = Record<string, unknown>

/**
 * Providers by (account, region): the operator's own credentials for the home account in the
 * config's region, and one alias per other account, reached by assuming a role there. RAM is
 * global; only a bucket in another region needs an alias of its own.
 */
const providers = (model: InfraModel) => {
  const aliases = new Map<string, { account: string; region: string }>()
  const alias = (account: string, region: string): string | undefined => {
    if (account === model.homeAccount && region === model.region) return undefined
    const name = `account_${account}${region === model.region ? '' : `_${terraformName(region)}`}`
    aliases.set(name, { account, region })
    return `alicloud.${name}`
  }
  const blocks = () => [
    { region: model.region },
    ...[...aliases]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([name, { account, region }]) => ({
        alias: name,
        region,
        ...(account === model.homeAccount
          ? {}
          : {
              assume_role: {
                role_arn: `\${var.${deployRoleVariable(account)}}`,
                session_name: 'credvend-infra',
              },
            }),
      })),
  ]
  const accounts = () =>
    [...new Set([...aliases.values()].map((a) => a.account))]
      .filter((a) => a !== model.homeAccount)
      .sort()
  return { alias, blocks, accounts }
}

/**
 * The trust document as Terraform applies it: the reviewed file, each quoted placeholder replaced
 * by the sensitive variable's value passed through jsonencode, so whatever the value holds the
 * result stays valid JSON and no placeholder text can reach RAM. The file itself keeps the
 * placeholder, for review and for `infra check`.
 */
const trustDocument = (role: InfraRole, secrets: readonly SecretPlaceholder[]) => {
  let expression = fileOf(role.trustFile)
  for (const secret of secrets) {
    if (!JSON.stringify(role.trust).includes(secret.text)) continue
    expression = `replace(${expression}, ${JSON.stringify(JSON.stringify(secret.text))}, jsonencode(var.${secret.terraformVariable}))`
  }
  return `\${${expression}}`
}

const corsRule = (bucket: InfraBucket) => {
  const rule = bucket.cors.CORSRule[0]!
  return {
    allowed_origins: rule.AllowedOrigin,
    allowed_methods: rule.AllowedMethod,
    allowed_headers: rule.AllowedHeader,
    expose_header: rule.ExposeHeader,
    max_age_seconds: rule.MaxAgeSeconds,
  }
}

/**
 * A Terraform (JSON syntax) configuration over the rendered policy files, for the aliyun/alicloud
 * provider: argument names as its resource docs spell them (test/contract/terraform-attributes.test.ts
 * holds the table), every role in another account created through that account's provider alias,
 * ExternalIds as sensitive variables, and each bucket's CORS behind an explicit consent variable.
 * @public
 */
export const terraformConfig = (model: InfraModel): Block => {
  const provider = providers(model)
  const secrets = secretPlaceholders(model.roles.map((r) => r.trust))
  const resource: Record<string, Record<string, Block>> = {
    alicloud_ram_role: {},
    alicloud_ram_policy: {},
    alicloud_ram_role_policy_attachment: {},
    alicloud_oss_bucket_cors: {},
  }
  for (const role of model.roles) {
    const alias = provider.alias(role.account, model.region)
    const via = alias ? { provider: alias } : {}
    const key =
      role.account === model.homeAccount
        ? terraformName(role.name)
        : `${terraformName(role.name)}_${role.account}`
    resource.alicloud_ram_role![key] = {
      ...via,
      role_name: role.name,
      assume_role_policy_document: trustDocument(role, secrets),
      max_session_duration: role.maxSessionDuration,
    }
    if (!role.permissionsFile) continue
    resource.alicloud_ram_policy![key] = {
      ...via,
      policy_name: managedPolicyName(role.name),
      policy_document: `\${${fileOf(role.permissionsFile)}}`,
    }
    resource.alicloud_ram_role_policy_attachment![key] = {
      ...via,
      role_name: `\${alicloud_ram_role.${key}.role_name}`,
      policy_name: `\${alicloud_ram_policy.${key}.policy_name}`,
      policy_type: 'Custom',
    }
  }
  for (const bucket of model.buckets) {
    const alias = provider.alias(bucket.account, bucket.region)
    resource.alicloud_oss_bucket_cors![terraformName(bucket.name)] = {
      '//': corsReplacementWarning(bucket),
      ...(alias ? { provider: alias } : {}),
      count: `\${var.${corsConsentVariable(bucket)} ? 1 : 0}`,
      bucket: bucket.name,
      cors_rule: [corsRule(bucket)],
    }
  }
  const variable: Record<string, Block> = {}
  for (const account of provider.accounts())
    variable[deployRoleVariable(account)] = {
      type: 'string',
      description: `A RAM role in account ${account} that the deploying identity may assume and that may manage RAM roles and policies there (in a Resource Directory member, the role the management account reaches it through).`,
      validation: [
        {
          condition: `\${can(regex("^acs:ram::${account}:role/[^/]+$", var.${deployRoleVariable(account)}))}`,
          error_message: `The role must be in account ${account}: acs:ram::${account}:role/<name>.`,
        },
      ],
    }
  for (const secret of secrets)
    variable[secret.terraformVariable] = {
      type: 'string',
      sensitive: true,
      description: `The ExternalId the config reads from ${secret.source === 'env' ? `the environment variable ${secret.name}` : `the KMS secret ${secret.name}`}; pass it as TF_VAR_${secret.terraformVariable}, never in a file.`,
      validation: [
        {
          condition: EXTERNAL_ID_CHECK(`var.${secret.terraformVariable}`),
          error_message: 'An ExternalId is 2 to 1,224 letters, digits and = , . @ : / - _.',
        },
      ],
    }
  for (const bucket of model.buckets)
    variable[corsConsentVariable(bucket)] = {
      type: 'bool',
      description: corsReplacementWarning(bucket),
    }
  return {
    '//': "Rendered by credvend infra render: edit the config and re-render, not this file. Roles in another account are created through that account's provider alias (var.deploy_role_arn_<account>); ExternalIds are sensitive variables (TF_VAR_<name>); bucket CORS replaces all of a bucket's rules and is applied only with consent (var.replace_cors_rules_<bucket>). See infra/DEPLOY.md.",
    terraform: {
      required_version: TERRAFORM_VERSION,
      required_providers: { alicloud: ALICLOUD },
    },
    provider: { alicloud: provider.blocks() },
    ...(Object.keys(variable).length > 0 ? { variable } : {}),
    resource: Object.fromEntries(
      Object.entries(resource).filter(([, v]) => Object.keys(v).length > 0),
    ),
  }
}
