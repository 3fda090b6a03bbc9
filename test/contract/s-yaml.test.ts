import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { CreateFunctionInput } from '@alicloud/fc20230330'
import { beforeAll, describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import {
  buildFcPackage,
  FC_BOOTSTRAP_FILE,
  FC_HANDLER_FILE,
} from '../../functions/node/tools/fc-package.ts'
import {
  fcDeploymentProblems,
  type DeploymentWorld,
  type FcResource,
} from '../helpers/fc-deployment-rules.ts'
import { CHILD_PROCESS_TIMEOUT_MS } from '../helpers/timeouts.ts'

const resources = (
  parse(readFileSync('s.yaml', 'utf8')) as { resources: Record<string, FcResource> }
).resources

let world: DeploymentWorld

/** The built package as FC sees it: files under /code, the handler loaded with require. */
const packageWorld = (dir: string): DeploymentWorld => ({
  readConfig: (name) => {
    const path = join('infra/config', name)
    return existsSync(path) ? readFileSync(path, 'utf8') : undefined
  },
  packageFile: (path) => {
    const full = join(dir, path)
    if (!existsSync(full) || !statSync(full).isFile()) return undefined
    return { executable: (statSync(full).mode & 0o111) !== 0 }
  },
  exportsFunction: (file, name) => {
    const loaded = createRequire(join(dir, 'package.json'))(join(dir, file)) as Record<
      string,
      unknown
    >
    return typeof loaded[name] === 'function'
  },
})

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'credvend-fc-package-'))
  await buildFcPackage(dir)
  world = packageWorld(dir)
}, CHILD_PROCESS_TIMEOUT_MS)

/** A copy of s.yaml's resources with one function's props changed. */
const variant = (name: string, change: (props: Record<string, any>) => void) => {
  const copy = structuredClone(resources)
  change(copy[name]!.props)
  return copy
}

const problemsOf = (changed: Record<string, FcResource>, w: DeploymentWorld = world) =>
  fcDeploymentProblems(changed, w)

describe('s.yaml against FC 3.0', () => {
  it('has no problem: concurrency, network, logs, entries in the built package, prop names', () => {
    expect(Object.keys(resources).sort()).toEqual(['credvend-internal', 'credvend-public'])
    expect(problemsOf(resources)).toEqual([])
  })

  it('declares the two shapes: custom runtime with concurrency, built-in runtime in the VPC', () => {
    const pub = resources['credvend-public']!.props
    expect(pub).toMatchObject({
      runtime: 'custom.debian10',
      instanceConcurrency: 50,
      customRuntimeConfig: { command: [`/code/${FC_BOOTSTRAP_FILE}`], port: 9000 },
    })
    expect(pub.vpcConfig).toBeUndefined()
    const internal = resources['credvend-internal']!.props
    expect(internal).toMatchObject({
      runtime: 'nodejs20',
      handler: `${FC_HANDLER_FILE.replace(/\.js$/, '')}.handler`,
      vpcConfig: { vpcId: expect.any(String), securityGroupId: expect.any(String) },
    })
    expect(internal.instanceConcurrency).toBeUndefined()
    expect(internal.vpcConfig).toMatchObject({ vSwitchIds: [expect.any(String)] })
  })

  it('gives both functions the partner trust watch its timer trigger', () => {
    for (const name of ['credvend-public', 'credvend-internal'])
      expect(resources[name]!.props.triggers).toContainEqual({
        triggerName: 'partner-trust',
        triggerType: 'timer',
        triggerConfig: { cronExpression: '@every 5m', enable: true, payload: 'partner-trust' },
      })
  })

  it('takes field names from a non-empty model (a renamed export would pass everything)', () => {
    expect(Object.keys(CreateFunctionInput.names())).toEqual(
      expect.arrayContaining([
        'functionName',
        'runtime',
        'handler',
        'instanceConcurrency',
        'customRuntimeConfig',
        'vpcConfig',
        'logConfig',
        'environmentVariables',
      ]),
    )
  })
})

describe('each rule fails on a bad variant', () => {
  it('(a) instance concurrency on a built-in runtime, but not concurrency 1', () => {
    expect(problemsOf(variant('credvend-internal', (p) => (p.instanceConcurrency = 50)))).toEqual([
      expect.stringMatching(
        /^credvend-internal: instanceConcurrency 50 on the built-in runtime nodejs20/,
      ),
    ])
    expect(
      problemsOf(
        variant('credvend-public', (p) => {
          p.runtime = 'nodejs20'
          delete p.customRuntimeConfig
        }),
      ),
    ).toEqual([expect.stringMatching(/^credvend-public: instanceConcurrency 50 on the built-in/)])
    expect(problemsOf(variant('credvend-internal', (p) => (p.instanceConcurrency = 1)))).toEqual([])
  })

  it('(b) a -vpc endpoint without vpcConfig', () => {
    expect(problemsOf(variant('credvend-internal', (p) => delete p.vpcConfig))).toEqual([
      expect.stringMatching(
        /^credvend-internal: infra\/config\/internal\.json calls https:\/\/sts-vpc\.cn-hangzhou\.aliyuncs\.com, https:\/\/kms-vpc\.cn-hangzhou\.aliyuncs\.com, .*no vpcConfig/,
      ),
    ])
    // public.json as it was: sts-vpc on a function with no VPC.
    const oldPublic: DeploymentWorld = {
      ...world,
      readConfig: (name) =>
        world
          .readConfig(name)
          ?.replace(
            'https://sts.cn-hangzhou.aliyuncs.com',
            'https://sts-vpc.cn-hangzhou.aliyuncs.com',
          ),
    }
    expect(problemsOf(resources, oldPublic)).toEqual([
      expect.stringMatching(/^credvend-public: infra\/config\/public\.json calls .*sts-vpc/),
    ])
    expect(
      problemsOf(
        variant(
          'credvend-public',
          (p) => (p.environmentVariables.CREDVEND_CONFIG = '/code/x.json'),
        ),
      ),
    ).toEqual([expect.stringMatching(/^credvend-public: CREDVEND_CONFIG "\/code\/x\.json"/)])
    expect(
      problemsOf(
        variant(
          'credvend-public',
          (p) => (p.environmentVariables.CREDVEND_CONFIG = '/code/config/missing.json'),
        ),
      ),
    ).toEqual([expect.stringMatching(/has no infra\/config\/missing\.json/)])
  })

  it('(c) no logConfig, or one without a logstore', () => {
    expect(problemsOf(variant('credvend-public', (p) => delete p.logConfig))).toEqual([
      expect.stringMatching(/^credvend-public: no logConfig/),
    ])
    expect(
      problemsOf(variant('credvend-internal', (p) => (p.logConfig = { project: 'credvend' }))),
    ).toEqual([expect.stringMatching(/^credvend-internal: no logConfig/)])
  })

  it('(d) a handler or start command the built package does not have', () => {
    expect(problemsOf(variant('credvend-internal', (p) => (p.handler = 'index.main')))).toEqual([
      expect.stringMatching(/^credvend-internal: index\.js does not export a function main/),
    ])
    expect(problemsOf(variant('credvend-internal', (p) => (p.handler = 'app.handler')))).toEqual([
      'credvend-internal: the package has no app.js',
    ])
    expect(
      problemsOf(
        variant('credvend-public', (p) => (p.customRuntimeConfig.command = ['/code/start'])),
      ),
    ).toEqual(['credvend-public: the package has no start'])
    expect(
      problemsOf(
        variant('credvend-public', (p) => (p.customRuntimeConfig.command = ['node', 'server.js'])),
      ),
    ).toEqual([expect.stringMatching(/^credvend-public: customRuntimeConfig\.command "node"/)])
    const notExecutable: DeploymentWorld = {
      ...world,
      packageFile: (path) =>
        path === FC_BOOTSTRAP_FILE ? { executable: false } : world.packageFile(path),
    }
    expect(problemsOf(resources, notExecutable)).toEqual([
      'credvend-public: /code/bootstrap is not executable',
    ])
  })

  it('(e) a prop, nested field or trigger field FC 3.0 does not know', () => {
    expect(
      problemsOf(
        variant('credvend-public', (p) => {
          p.instanceconcurrency = p.instanceConcurrency
          delete p.instanceConcurrency
        }),
      ),
    ).toEqual([expect.stringMatching(/^credvend-public: "instanceconcurrency" is neither/)])
    expect(
      problemsOf(
        variant(
          'credvend-public',
          (p) => (p.customRuntimeConfig = { command: ['/code/bootstrap'], ports: 9000 }),
        ),
      ),
    ).toEqual([
      "credvend-public: customRuntimeConfig.ports is not a field of the API's customRuntimeConfig",
    ])
    expect(
      problemsOf(
        variant('credvend-internal', (p) => {
          p.vpcConfig.vswitchIds = p.vpcConfig.vSwitchIds
          delete p.vpcConfig.vSwitchIds
        }),
      ),
    ).toEqual(["credvend-internal: vpcConfig.vswitchIds is not a field of the API's vpcConfig"])
    expect(
      problemsOf(
        variant(
          'credvend-internal',
          (p) => (p.logConfig = { project: 'p', logstore: 'l', logStore: 'l' }),
        ),
      ),
    ).toEqual(["credvend-internal: logConfig.logStore is not a field of the API's logConfig"])
    expect(problemsOf(variant('credvend-internal', (p) => (p.logConfig = 'Auto')))).toEqual([
      expect.stringMatching(/^credvend-internal: no logConfig/),
      'credvend-internal: logConfig "Auto" is neither an object nor fc3\'s auto',
    ])
    expect(
      problemsOf(
        variant('credvend-internal', (p) => {
          p.triggers[0].triggerConfig.disableUrlInternet = true
          p.triggers[0].name = 'http'
        }),
      ),
    ).toEqual([
      'credvend-internal: triggers[].name is not a CreateTriggerInput field',
      'credvend-internal: triggerConfig.disableUrlInternet is not an HTTPTriggerConfig field',
    ])
    // The timer trigger's config is checked against the API's own model too.
    expect(
      problemsOf(
        variant('credvend-public', (p) => {
          p.triggers[1].triggerConfig.cron = p.triggers[1].triggerConfig.cronExpression
        }),
      ),
    ).toEqual(['credvend-public: triggerConfig.cron is not a TimerTriggerConfig field'])
    // A component-only prop from fc3's schema is not an API field, and not a problem.
    expect(
      problemsOf(variant('credvend-internal', (p) => (p.vpcBinding = { vpcIds: ['vpc-1'] }))),
    ).toEqual([])
  })
})
