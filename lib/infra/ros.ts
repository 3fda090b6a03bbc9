import { VendError } from '../errors.ts'
import type { InfraModel, InfraRole } from './infra-model.ts'
import type { PolicyDocument } from './policy-document.ts'
import { managedPolicyName } from './managed-policy-name.ts'
import { pascalCase } from './pascal-case.ts'
import type { RenderedFile } from './rendered-file.ts'
import { secretPlaceholders, type SecretPlaceholder } from './secret-placeholders.ts'

/** The only template format version ROS documents. */
const FORMAT_VERSION = '2015-09-01'

/** The Statement keys ALIYUN::RAM::ManagedPolicy's PolicyDocument documents; anything else goes unchecked. */
const CHECKED_STATEMENT_KEYS = new Set(['Effect', 'Action', 'Resource', 'Condition'])

const asList = (value: unknown) => (Array.isArray(value) ? value : [value])

/**
 * A permission policy as ManagedPolicy takes it: its PolicyDocument documents Action and Resource
 * as lists, so single strings become one-element lists (the same policy to RAM). A statement with
 * any other key (NotAction, NotResource) goes in PolicyDocumentUnchecked, which ROS passes as is.
 */
const managedPolicyDocument = (policy: PolicyDocument) => {
  if (policy.Statement.some((s) => Object.keys(s).some((k) => !CHECKED_STATEMENT_KEYS.has(k))))
    return { PolicyDocumentUnchecked: policy }
  return {
    PolicyDocument: {
      Version: policy.Version,
      Statement: policy.Statement.map((s) => ({
        ...s,
        ...(s.Action === undefined ? {} : { Action: asList(s.Action) }),
        ...(s.Resource === undefined ? {} : { Resource: asList(s.Resource) }),
      })),
    },
  }
}

/** The trust document with each placeholder swapped for a `Ref` to its NoEcho parameter. */
const withRefs = (node: unknown, secrets: readonly SecretPlaceholder[]): unknown => {
  if (Array.isArray(node)) return node.map((n) => withRefs(n, secrets))
  if (node && typeof node === 'object')
    return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, withRefs(v, secrets)]))
  if (typeof node !== 'string') return node
  const whole = secrets.find((s) => s.text === node)
  if (whole) return { Ref: whole.rosParameter }
  if (secrets.some((s) => node.includes(s.text)))
    throw new VendError('ERR_CONFIG_INVALID', 'a secret reference inside a longer trust value')
  return node
}

const logicalIds = (roles: readonly InfraRole[]) => {
  const ids = new Map(roles.map((r) => [r.name, pascalCase(r.name)]))
  const values = [...ids.values()]
  const clash = values.find((v, i) => values.indexOf(v) !== i)
  if (clash)
    throw new VendError(
      'ERR_CONFIG_INVALID',
      `two roles of one account would share the ROS logical id Role${clash}`,
    )
  return ids
}

const template = (model: InfraModel, account: string, secrets: readonly SecretPlaceholder[]) => {
  const roles = model.roles.filter((r) => r.account === account)
  const used = secrets.filter((s) => roles.some((r) => JSON.stringify(r.trust).includes(s.text)))
  const ids = logicalIds(roles)
  const resources: Record<string, unknown> = {}
  const outputs: Record<string, unknown> = {}
  for (const role of roles) {
    const id = ids.get(role.name)!
    resources[`Role${id}`] = {
      Type: 'ALIYUN::RAM::Role',
      Properties: {
        RoleName: role.name,
        AssumeRolePolicyDocument: withRefs(role.trust, used),
        MaxSessionDuration: role.maxSessionDuration,
      },
    }
    outputs[`Role${id}Arn`] = {
      Description: `The ARN of ${role.name}`,
      Value: { 'Fn::GetAtt': [`Role${id}`, 'Arn'] },
    }
    if (!role.permissions) continue
    resources[`Policy${id}`] = {
      Type: 'ALIYUN::RAM::ManagedPolicy',
      Properties: {
        PolicyName: managedPolicyName(role.name),
        ...managedPolicyDocument(role.permissions),
      },
    }
    // Reading both names with Fn::GetAtt orders the attachment after them (assumed, as in
    // CloudFormation: the ROS pages read document the attributes, not the ordering).
    resources[`Attachment${id}`] = {
      Type: 'ALIYUN::RAM::AttachPolicyToRole',
      Properties: {
        PolicyName: { 'Fn::GetAtt': [`Policy${id}`, 'PolicyName'] },
        PolicyType: 'Custom',
        RoleName: { 'Fn::GetAtt': [`Role${id}`, 'RoleName'] },
      },
    }
  }
  return {
    ROSTemplateFormatVersion: FORMAT_VERSION,
    Description: `Rendered by credvend infra render: the RAM roles and policies account ${account} needs. One stack in this account, or a stack group instance targeting it from the Resource Directory management account; pass each ExternalId as its NoEcho parameter.`,
    ...(used.length > 0
      ? {
          Parameters: Object.fromEntries(
            used.map((s) => [
              s.rosParameter,
              {
                Type: 'String',
                NoEcho: true,
                MinLength: 2,
                MaxLength: 1224,
                Description: `The ExternalId the config reads from ${s.source === 'env' ? `the environment variable ${s.name}` : `the KMS secret ${s.name}`}.`,
              },
            ]),
          ),
        }
      : {}),
    Resources: resources,
    Outputs: outputs,
  }
}

/**
 * One ROS template per account for the same roles and policies as the Terraform: a stack of its
 * own in each account, so a Resource Directory member gets its roles from a stack group instance
 * that targets that member alone. OSS CORS stays with the Terraform and the oss/ files.
 * @public
 */
export const rosTemplates = (model: InfraModel): RenderedFile[] => {
  const secrets = secretPlaceholders(model.roles.map((r) => r.trust))
  return [...new Set(model.roles.map((r) => r.account))].sort().map((account) => ({
    path: `ros/${account}.json`,
    json: template(model, account, secrets),
  }))
}
