import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { placeholderResolver, readConfigFile } from '../../functions/node/cli/config-file.ts'
import { createDemoConfig } from '../../functions/node/cli/local/demo-config.ts'
import { configSchema } from '../../lib/config/schema.ts'
import { renderInfra } from '../../lib/infra/render.ts'
import type { RenderedFile } from '../../lib/infra/rendered-file.ts'
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.ts'

/**
 * The oracle: ROS's documented template sections, parameter properties, resource types, their
 * properties (nested documents included) and Fn::GetAtt attributes, copied from the pages linked
 * beside each table. A rendered key outside its table, a missing required property or an
 * attribute a resource does not return fails the build.
 */
const ROS_DOCS = 'https://www.alibabacloud.com/help/en/ros'

/** https://www.alibabacloud.com/help/en/ros/user-guide/template-structure */
const SECTIONS = [
  'ROSTemplateFormatVersion',
  'Description',
  'Metadata',
  'Parameters',
  'Mappings',
  'Conditions',
  'Resources',
  'Outputs',
  'Rules',
]
const FORMAT_VERSIONS = ['2015-09-01']
/**
 * https://www.alibabacloud.com/help/en/ros/user-guide/overview-10 (Parameters): names are letters
 * and digits; NoEcho masks the value wherever the stack is described.
 */
const PARAMETER_PROPERTIES = [
  'Type',
  'Default',
  'AllowedValues',
  'AllowedPattern',
  'MaxLength',
  'MinLength',
  'MaxValue',
  'MinValue',
  'NoEcho',
  'Description',
  'ConstraintDescription',
  'Label',
  'AssociationProperty',
  'AssociationPropertyMetadata',
  'Confirm',
  'TextArea',
]
const PARAMETER_TYPES = [
  'String',
  'Number',
  'CommaDelimitedList',
  'Json',
  'Boolean',
  'ALIYUN::OOS::Parameter::Value',
  'ALIYUN::OOS::SecretParameter::Value',
]
/**
 * https://www.alibabacloud.com/help/en/ros/user-guide/resources: the keys of one resource
 * declaration. DependsOn is not listed: the page as read shows these four, so none other is used.
 */
const RESOURCE_KEYS = ['Type', 'Condition', 'Properties', 'DeletionPolicy']
/** Output keys as the resource pages' examples write them (the Outputs page itself was not read). */
const OUTPUT_KEYS = ['Description', 'Value']

type Scalar = 'String' | 'List' | 'Map' | 'Integer' | 'Boolean'
interface Shape {
  readonly required?: readonly string[]
  readonly keys: Readonly<Record<string, Shape | Scalar>>
}
const list = (s: Shape) => ({ ...s, list: true }) as Shape & { list: true }

/** AssumeRolePolicyDocument on the ALIYUN::RAM::Role page: Statement's Action is a String. */
const TRUST_DOCUMENT: Shape = {
  keys: {
    Version: 'String',
    Statement: list({
      keys: {
        Condition: 'Map',
        Action: 'String',
        Effect: 'String',
        Principal: { keys: { Service: 'List', Federated: 'List', RAM: 'List' } },
      },
    }),
  },
}
/** PolicyDocument on the ALIYUN::RAM::ManagedPolicy page: Action and Resource are Lists. */
const POLICY_DOCUMENT: Shape = {
  keys: {
    Version: 'String',
    Statement: list({
      keys: { Condition: 'Map', Action: 'List', Resource: 'List', Effect: 'String' },
    }),
  },
}

interface ResourceType {
  readonly doc: string
  readonly properties: Shape
  readonly attributes: readonly string[]
}
const RESOURCE_TYPES: Readonly<Record<string, ResourceType>> = {
  'ALIYUN::RAM::Role': {
    doc: `${ROS_DOCS}/developer-reference/aliyun-ram-role`,
    properties: {
      required: ['RoleName', 'AssumeRolePolicyDocument'],
      keys: {
        RoleName: 'String',
        Description: 'String',
        AssumeRolePolicyDocument: TRUST_DOCUMENT,
        MaxSessionDuration: 'Integer',
        Policies: 'List',
        IgnoreExisting: 'Boolean',
        DeletionForce: 'Boolean',
        PolicyAttachments: 'Map',
      },
    },
    attributes: ['RoleId', 'RoleName', 'Arn'],
  },
  'ALIYUN::RAM::ManagedPolicy': {
    doc: `${ROS_DOCS}/developer-reference/aliyun-ram-managedpolicy`,
    properties: {
      required: ['PolicyName'],
      keys: {
        PolicyName: 'String',
        Description: 'String',
        Roles: 'List',
        PolicyDocumentUnchecked: 'Map',
        PolicyDocument: POLICY_DOCUMENT,
        Groups: 'List',
        Users: 'List',
        IgnoreExisting: 'Boolean',
      },
    },
    attributes: ['PolicyName'],
  },
  // One English version of this page marks all three properties optional; the current one, and
  // the Chinese one, mark them required. Required is the stricter reading.
  'ALIYUN::RAM::AttachPolicyToRole': {
    doc: `${ROS_DOCS}/developer-reference/aliyun-ram-attachpolicytorole`,
    properties: {
      required: ['PolicyName', 'PolicyType', 'RoleName'],
      keys: { PolicyName: 'String', PolicyType: 'String', RoleName: 'String' },
    },
    attributes: [],
  },
}
/**
 * The constraints the pages give: role names (the current ALIYUN::RAM::Role page: letters, digits,
 * `.` and `-`; an older version also allowed `_`), policy names, session lengths, policy types.
 */
const ROLE_NAME = /^[A-Za-z0-9.-]{1,64}$/
const POLICY_TYPES = ['System', 'Custom']

type Json = Record<string, unknown>
const isFunction = (v: unknown): v is Json =>
  !!v &&
  typeof v === 'object' &&
  !Array.isArray(v) &&
  Object.keys(v).length === 1 &&
  ['Ref', 'Fn::GetAtt'].includes(Object.keys(v)[0]!)

/** Every problem of one rendered template against the tables above; none means it conforms. */
const rosProblems = (template: Json): string[] => {
  const problems: string[] = []
  for (const key of Object.keys(template))
    if (!SECTIONS.includes(key)) problems.push(`${key}: not a template section`)
  if (!FORMAT_VERSIONS.includes(template.ROSTemplateFormatVersion as string))
    problems.push(`ROSTemplateFormatVersion ${template.ROSTemplateFormatVersion}: unknown`)
  const parameters = (template.Parameters ?? {}) as Record<string, Json>
  for (const [name, p] of Object.entries(parameters)) {
    if (!/^[A-Za-z0-9]+$/.test(name)) problems.push(`Parameters.${name}: letters and digits only`)
    for (const key of Object.keys(p))
      if (!PARAMETER_PROPERTIES.includes(key))
        problems.push(`Parameters.${name}.${key}: not a parameter property`)
    if (!PARAMETER_TYPES.includes(p.Type as string))
      problems.push(`Parameters.${name}.Type ${p.Type}: unknown`)
  }
  const resources = (template.Resources ?? {}) as Record<string, Json>

  const checkValue = (value: unknown, shape: Shape | Scalar, where: string, doc: string) => {
    if (isFunction(value)) {
      const [fn, arg] = Object.entries(value)[0]!
      if (fn === 'Ref' && !(typeof arg === 'string' && (parameters[arg] || resources[arg])))
        problems.push(`${where}: Ref to ${String(arg)}, which the template does not declare`)
      if (fn === 'Fn::GetAtt') {
        const [resource, attribute] = arg as [string, string]
        const type = RESOURCE_TYPES[resources[resource]?.Type as string]
        if (!type?.attributes.includes(attribute))
          problems.push(
            `${where}: Fn::GetAtt ${resource}.${attribute} is not a documented attribute`,
          )
      }
      return
    }
    if (typeof shape === 'string') {
      const ok = {
        String: typeof value === 'string',
        List: Array.isArray(value),
        Map: !!value && typeof value === 'object' && !Array.isArray(value),
        Integer: Number.isInteger(value),
        Boolean: typeof value === 'boolean',
      }[shape]
      if (!ok) problems.push(`${where}: expected ${shape} (${doc})`)
      return
    }
    if ((shape as { list?: boolean }).list) {
      if (!Array.isArray(value)) problems.push(`${where}: expected a List (${doc})`)
      else value.forEach((v, i) => checkShape(v as Json, shape, `${where}[${i}]`, doc))
      return
    }
    checkShape(value as Json, shape, where, doc)
  }
  const checkShape = (body: Json, shape: Shape, where: string, doc: string) => {
    for (const [key, value] of Object.entries(body ?? {})) {
      const expected = shape.keys[key]
      if (!expected) problems.push(`${where}.${key}: not a documented property (${doc})`)
      else checkValue(value, expected, `${where}.${key}`, doc)
    }
    for (const key of shape.required ?? [])
      if (body?.[key] === undefined) problems.push(`${where}: ${key} is required (${doc})`)
  }

  for (const [name, resource] of Object.entries(resources)) {
    for (const key of Object.keys(resource))
      if (!RESOURCE_KEYS.includes(key))
        problems.push(`Resources.${name}.${key}: not a resource key`)
    const type = RESOURCE_TYPES[resource.Type as string]
    if (!type) {
      problems.push(`Resources.${name}: ${resource.Type} is not in the table`)
      continue
    }
    const properties = resource.Properties as Json
    checkShape(properties, type.properties, `Resources.${name}.Properties`, type.doc)
    if (typeof properties.RoleName === 'string' && !ROLE_NAME.test(properties.RoleName))
      problems.push(`Resources.${name}: role name ${properties.RoleName} breaks ${ROLE_NAME}`)
    if (typeof properties.PolicyName === 'string' && properties.PolicyName.length > 128)
      problems.push(`Resources.${name}: policy name longer than 128`)
    const seconds = properties.MaxSessionDuration
    if (seconds !== undefined && !((seconds as number) >= 3600 && (seconds as number) <= 43_200))
      problems.push(`Resources.${name}: MaxSessionDuration ${seconds} is outside 3600–43200`)
    if (
      properties.PolicyType !== undefined &&
      !POLICY_TYPES.includes(properties.PolicyType as string)
    )
      problems.push(`Resources.${name}: PolicyType ${properties.PolicyType}`)
  }
  for (const [name, output] of Object.entries((template.Outputs ?? {}) as Record<string, Json>)) {
    for (const key of Object.keys(output))
      if (!OUTPUT_KEYS.includes(key)) problems.push(`Outputs.${name}.${key}: not an output key`)
    checkValue(output.Value, 'Map', `Outputs.${name}.Value`, 'Outputs')
  }
  return problems
}

const templatesOf = (files: readonly RenderedFile[]) =>
  Object.fromEntries(
    files
      .filter((f) => f.path.startsWith('ros/'))
      .map((f) => [f.path, structuredClone(f.json) as Json]),
  )
const jsonOf = (files: readonly RenderedFile[], path: string) => {
  const f = files.find((x) => x.path === path)
  if (!f) throw new Error(`not rendered: ${path}`)
  return f.json
}
const resourcesOf = (template: Json) =>
  template.Resources as Record<string, Json & { Properties: Json }>
const asList = (v: unknown) => (Array.isArray(v) ? v : [v])

let emu: TestEmulator
let demo: Awaited<ReturnType<typeof createDemoConfig>>
const rendered = new Map<string, RenderedFile[]>()

beforeAll(async () => {
  emu = await startTestEmulator()
  demo = await createDemoConfig(emu)
  rendered.set(
    'demo',
    renderInfra(
      configSchema.parse({
        ...demo.config,
        sourcePrincipal: 'acs:ram::1234567890123456:role/credvend-fc',
      }),
    ),
  )
  for (const file of ['infra/config/public.json', 'infra/config/internal.json'])
    rendered.set(file, renderInfra((await readConfigFile(file, placeholderResolver)).config))
})
afterAll(async () => {
  await emu.close()
})

describe('rendered ROS templates against the ROS resource docs', () => {
  it.each(['demo', 'infra/config/public.json', 'infra/config/internal.json'])(
    '%s: every section, parameter, resource type, property and attribute is documented',
    (name) => {
      const templates = templatesOf(rendered.get(name)!)
      expect(Object.keys(templates).length).toBeGreaterThan(0)
      for (const [path, template] of Object.entries(templates))
        expect(rosProblems(template), path).toEqual([])
    },
  )

  it('fails a renamed property, a misspelt nested key, a missing required one and an undocumented attribute', () => {
    const template = templatesOf(rendered.get('demo')!)['ros/2222222222222222.json']!
    const role = resourcesOf(template).RoleCredvendPartnerDemo!.Properties
    role.MaxSessionDurations = role.MaxSessionDuration
    delete role.MaxSessionDuration
    const statement = ((role.AssumeRolePolicyDocument as Json).Statement as Json[])[0]!
    statement.Principal = { Ram: (statement.Principal as Json).RAM }
    const home = templatesOf(rendered.get('demo')!)['ros/1234567890123456.json']!
    const attach = resourcesOf(home).AttachmentCredvendHub!.Properties
    delete attach.PolicyType
    attach.RoleName = { 'Fn::GetAtt': ['RoleCredvendHub', 'Name'] }
    const role_ = RESOURCE_TYPES['ALIYUN::RAM::Role']!.doc
    const attach_ = RESOURCE_TYPES['ALIYUN::RAM::AttachPolicyToRole']!.doc
    expect(rosProblems(template)).toEqual([
      `Resources.RoleCredvendPartnerDemo.Properties.AssumeRolePolicyDocument.Statement[0].Principal.Ram: not a documented property (${role_})`,
      `Resources.RoleCredvendPartnerDemo.Properties.MaxSessionDurations: not a documented property (${role_})`,
    ])
    expect(rosProblems(home)).toEqual([
      'Resources.AttachmentCredvendHub.Properties.RoleName: Fn::GetAtt RoleCredvendHub.Name is not a documented attribute',
      `Resources.AttachmentCredvendHub.Properties: PolicyType is required (${attach_})`,
    ])
  })

  it('renders one stack per account: the member account’s roles in its own template only', () => {
    const templates = templatesOf(rendered.get('demo')!)
    const roles = (path: string) =>
      Object.values(resourcesOf(templates[path]!))
        .filter((r) => r.Type === 'ALIYUN::RAM::Role')
        .map((r) => r.Properties.RoleName)
        .sort()
    expect(Object.keys(templates).sort()).toEqual([
      'ros/1234567890123456.json',
      'ros/2222222222222222.json',
    ])
    expect(roles('ros/1234567890123456.json')).toEqual([
      'credvend-demo',
      'credvend-fc',
      'credvend-hub',
    ])
    expect(roles('ros/2222222222222222.json')).toEqual([
      'credvend-partner-demo',
      'credvend-partner-via-hub',
    ])
  })

  it('holds the same documents as the policy files, each ExternalId a NoEcho parameter and never a value', () => {
    const files = rendered.get('demo')!
    const templates = templatesOf(files)
    for (const secret of Object.values(demo.env))
      expect(JSON.stringify(templates)).not.toContain(secret)
    // No placeholder is left for ROS to apply as the ExternalId itself.
    expect(JSON.stringify(templates)).not.toContain('{{')
    const member = templates['ros/2222222222222222.json']!
    expect(member.Parameters).toEqual({
      CredvendDemoExternalId: expect.objectContaining({ Type: 'String', NoEcho: true }),
    })
    expect(templates['ros/1234567890123456.json']!.Parameters).toBeUndefined()
    for (const [path, template] of Object.entries(templates)) {
      const account = /ros\/(\d+)\.json/.exec(path)![1]!
      for (const resource of Object.values(resourcesOf(template))) {
        const p = resource.Properties
        if (resource.Type === 'ALIYUN::RAM::Role') {
          const file =
            p.RoleName === 'credvend-fc'
              ? 'policies/execution-role-trust.json'
              : `policies/roles/${account}-${p.RoleName}-trust.json`
          // The template's trust is the reviewed file, the parameter where its placeholder was.
          expect(
            JSON.stringify(p.AssumeRolePolicyDocument).replaceAll(
              '{"Ref":"CredvendDemoExternalId"}',
              '"{{env:CREDVEND_DEMO_EXTERNAL_ID}}"',
            ),
          ).toBe(JSON.stringify(jsonOf(files, file)))
        }
        if (resource.Type === 'ALIYUN::RAM::ManagedPolicy') {
          const role = String(p.PolicyName).replace(/-credvend$/, '')
          const file =
            role === 'credvend-fc'
              ? 'policies/execution-role-permissions.json'
              : `policies/roles/${account}-${role}-permissions.json`
          const policy = jsonOf(files, file) as { Statement: Json[] }
          // Action and Resource as lists is the same policy to RAM.
          expect(p.PolicyDocument).toEqual({
            ...policy,
            Statement: policy.Statement.map((s) => ({
              ...s,
              Action: asList(s.Action),
              Resource: asList(s.Resource),
            })),
          })
        }
      }
    }
  })

  it('asks each role for the longest session its profiles vend', () => {
    const profiles = demo.config.profiles as Record<string, Record<string, unknown>>
    const files = renderInfra(
      configSchema.parse({
        ...demo.config,
        sourcePrincipal: 'acs:ram::1234567890123456:role/credvend-fc',
        profiles: {
          ...profiles,
          'demo-partner': {
            ...profiles['demo-partner'],
            durationSeconds: { default: 3600, max: 43_200 },
            allowAboveOneHour: true,
          },
        },
      }),
    )
    const template = templatesOf(files)['ros/2222222222222222.json']!
    expect(resourcesOf(template).RoleCredvendPartnerDemo!.Properties.MaxSessionDuration).toBe(
      43_200,
    )
    expect(resourcesOf(template).RoleCredvendPartnerViaHub!.Properties.MaxSessionDuration).toBe(
      3600,
    )
    expect(rosProblems(template)).toEqual([])
  })
})
