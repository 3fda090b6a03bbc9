/**
 * The rules an `s.yaml` function must satisfy for Function Compute 3.0 to accept it and for
 * credvend to work once deployed, checked offline. Each rule returns problems as sentences, so a
 * test can assert both "none" on the real file and "this one" on a broken copy.
 */
import {
  CreateFunctionInput,
  CreateTriggerInput,
  CustomRuntimeConfig,
  HTTPTriggerConfig,
  LogConfig,
  TimerTriggerConfig,
  VPCConfig,
} from '@alicloud/fc20230330'

/** One `resources.<name>` entry of s.yaml. */
export interface FcResource {
  component?: string
  props: Record<string, unknown>
}

/** What the rules need from outside the YAML: the config files and the built code package. */
export interface DeploymentWorld {
  /** `infra/config/<name>` as text, or undefined when there is no such file. */
  readConfig(name: string): string | undefined
  /** Whether the code package has this file (relative to /code) with an executable bit. */
  packageFile(path: string): { executable: boolean } | undefined
  /** Whether the package's `<file>` (relative to /code), loaded as FC loads it, exports a function `name`. */
  exportsFunction(file: string, name: string): boolean
}

const FC3_SCHEMA = 'https://github.com/devsapp/fc3/blob/main/src/schema.json'

/**
 * Props the fc3 component reads itself and never sends as CreateFunction fields (they exist in
 * its schema, https://github.com/devsapp/fc3/blob/main/src/schema.json, but not in
 * CreateFunctionInput): `region` picks the endpoint,
 * `triggers` become CreateTrigger calls, the rest are separate APIs or client settings. `code` is
 * a CreateFunctionInput field, though fc3 takes a local path there and uploads it.
 */
const COMPONENT_ONLY_PROPS = new Set([
  'region',
  'triggers',
  'endpoint',
  'vpcBinding',
  'asyncInvokeConfig',
  'concurrencyConfig',
  'provisionConfig',
  'annotations',
])

/** fc3 accepts `auto` for these and creates the resources itself (same schema). */
const AUTO_ALLOWED = new Set(['logConfig', 'vpcConfig', 'nasConfig'])

const FEATURE_UPDATES =
  'https://www.alibabacloud.com/help/en/functioncompute/feature-updates-in-function-compute-3'

/** FC 3.0's "standard" runtimes: everything but custom runtimes and custom containers. */
const isBuiltIn = (runtime: string) => !runtime.startsWith('custom')

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

const unknownKeys = (value: unknown, model: { names(): Record<string, string> }) => {
  if (!isRecord(value)) return []
  const known = new Set(Object.keys(model.names()))
  return Object.keys(value).filter((k) => !known.has(k))
}

/** Any URL whose host is an Alibaba Cloud `-vpc` endpoint, anywhere in a config document. */
const vpcEndpoints = (doc: unknown): string[] => {
  if (typeof doc === 'string')
    return /^https?:\/\/[a-z0-9.-]*-vpc\.[a-z0-9.-]*aliyuncs\.com(?:[:/]|$)/.test(doc) ? [doc] : []
  if (Array.isArray(doc)) return doc.flatMap(vpcEndpoints)
  if (isRecord(doc)) return Object.values(doc).flatMap(vpcEndpoints)
  return []
}

const instanceConcurrencyRule = (name: string, props: Record<string, unknown>): string[] => {
  const runtime = String(props.runtime)
  const concurrency = props.instanceConcurrency
  if (!isBuiltIn(runtime) || concurrency === undefined || concurrency === 1) return []
  return [
    `${name}: instanceConcurrency ${String(concurrency)} on the built-in runtime ${runtime}; FC 3.0 standard runtimes no longer support instance concurrency (${FEATURE_UPDATES})`,
  ]
}

const vpcRule = (
  name: string,
  props: Record<string, unknown>,
  world: DeploymentWorld,
): string[] => {
  const env = isRecord(props.environmentVariables) ? props.environmentVariables : {}
  const configPath = String(env.CREDVEND_CONFIG ?? '')
  const match = /^\/code\/config\/([a-z0-9-]+\.json)$/.exec(configPath)
  if (!match) return [`${name}: CREDVEND_CONFIG "${configPath}" is not /code/config/<name>.json`]
  const text = world.readConfig(match[1]!)
  if (text === undefined) return [`${name}: ${configPath} has no infra/config/${match[1]}`]
  const endpoints = vpcEndpoints(JSON.parse(text))
  const vpc = props.vpcConfig
  const hasVpc = vpc === 'auto' || (isRecord(vpc) && Boolean(vpc.vpcId))
  if (endpoints.length === 0 || hasVpc) return []
  return [
    `${name}: infra/config/${match[1]} calls ${endpoints.join(', ')}, reachable only from a VPC, but the function has no vpcConfig`,
  ]
}

const logRule = (name: string, props: Record<string, unknown>): string[] => {
  const log = props.logConfig
  if (log === 'auto' || (isRecord(log) && log.project && log.logstore)) return []
  return [`${name}: no logConfig (auto, or a project and logstore): its audit lines would be lost`]
}

const entryRule = (
  name: string,
  props: Record<string, unknown>,
  world: DeploymentWorld,
): string[] => {
  const runtime = String(props.runtime)
  if (isBuiltIn(runtime)) {
    const [file, exported, ...rest] = String(props.handler ?? '').split('.')
    if (!file || !exported || rest.length > 0)
      return [`${name}: handler "${String(props.handler)}" is not <file>.<export>`]
    if (!world.packageFile(`${file}.js`)) return [`${name}: the package has no ${file}.js`]
    return world.exportsFunction(`${file}.js`, exported)
      ? []
      : [`${name}: ${file}.js does not export a function ${exported}`]
  }
  if (runtime === 'custom-container') return []
  const crc = isRecord(props.customRuntimeConfig) ? props.customRuntimeConfig : {}
  const start = Array.isArray(crc.command) ? String(crc.command[0] ?? '') : ''
  // This deployment names its own start script, so the package can be checked for it.
  if (!start.startsWith('/code/'))
    return [`${name}: customRuntimeConfig.command "${start}" is not a file in the package`]
  const file = world.packageFile(start.slice('/code/'.length))
  if (!file) return [`${name}: the package has no ${start.slice('/code/'.length)}`]
  return file.executable ? [] : [`${name}: ${start} is not executable`]
}

const propNameRule = (name: string, props: Record<string, unknown>): string[] => {
  const problems: string[] = []
  const fields = new Set(Object.keys(CreateFunctionInput.names()))
  for (const key of Object.keys(props))
    if (!fields.has(key) && !COMPONENT_ONLY_PROPS.has(key))
      problems.push(
        `${name}: "${key}" is neither a CreateFunctionInput field nor an fc3 prop (${FC3_SCHEMA})`,
      )
  const nested: Array<[string, { names(): Record<string, string> }]> = [
    ['customRuntimeConfig', CustomRuntimeConfig],
    ['vpcConfig', VPCConfig],
    ['logConfig', LogConfig],
  ]
  for (const [field, model] of nested) {
    const value = props[field]
    if (typeof value === 'string' && !(AUTO_ALLOWED.has(field) && value === 'auto'))
      problems.push(`${name}: ${field} "${value}" is neither an object nor fc3's auto`)
    for (const key of unknownKeys(value, model))
      problems.push(`${name}: ${field}.${key} is not a field of the API's ${field}`)
  }
  const triggers = Array.isArray(props.triggers) ? props.triggers : []
  for (const trigger of triggers) {
    for (const key of unknownKeys(trigger, CreateTriggerInput))
      problems.push(`${name}: triggers[].${key} is not a CreateTriggerInput field`)
    if (isRecord(trigger) && trigger.triggerType === 'http')
      for (const key of unknownKeys(trigger.triggerConfig, HTTPTriggerConfig))
        problems.push(`${name}: triggerConfig.${key} is not an HTTPTriggerConfig field`)
    if (isRecord(trigger) && trigger.triggerType === 'timer')
      for (const key of unknownKeys(trigger.triggerConfig, TimerTriggerConfig))
        problems.push(`${name}: triggerConfig.${key} is not a TimerTriggerConfig field`)
  }
  return problems
}

/** Every problem of every fc3 resource; empty when the deployment passes. */
export const fcDeploymentProblems = (
  resources: Record<string, FcResource>,
  world: DeploymentWorld,
): string[] =>
  Object.entries(resources)
    .filter(([, r]) => r.component === 'fc3')
    .flatMap(([name, { props }]) => [
      ...instanceConcurrencyRule(name, props),
      ...vpcRule(name, props, world),
      ...logRule(name, props),
      ...entryRule(name, props, world),
      ...propNameRule(name, props),
    ])
