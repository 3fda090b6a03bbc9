import { mkdtempSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import {
  buildFcPackage,
  FC_HANDLER_FILE,
  FC_SERVER_FILE,
} from '../../functions/node/tools/fc-package.ts'
import { placeholderResolver } from '../../functions/node/cli/config-file.ts'
import { loadConfig } from '../../lib/config/load.ts'
import { CHILD_PROCESS_TIMEOUT_MS } from '../helpers/timeouts.ts'

let bundles: string[]
let bundleDir: string
const spec = parse(readFileSync('s.yaml', 'utf8')) as {
  resources: Record<
    string,
    {
      component: string
      actions?: { 'pre-deploy'?: Array<{ run: string }> }
      props: Record<string, any>
    }
  >
}
const functions = Object.entries(spec.resources).filter(([, r]) => r.component === 'fc3')

beforeAll(async () => {
  bundleDir = mkdtempSync(join(tmpdir(), 'credvend-fc-'))
  await buildFcPackage(bundleDir)
  bundles = [FC_HANDLER_FILE, FC_SERVER_FILE].map((file) =>
    readFileSync(join(bundleDir, file), 'utf8'),
  )
}, CHILD_PROCESS_TIMEOUT_MS)

describe('FC code package', () => {
  it('neither shape contains emulator code, demo keys or demo config', () => {
    for (const bundle of bundles) {
      for (const marker of [
        'createStsEmulator',
        'createImdsEmulator',
        'createDemoWorld',
        'createDemoConfig',
        'credvend-demo',
        'LOCAL MODE',
        'login.credvend.local',
        'CREDVEND_DEMO_',
      ]) {
        expect(bundle).not.toContain(marker)
      }
      expect(bundle).not.toMatch(/LTAI5t[A-Za-z0-9]{18}/)
    }
  })
})

describe('s.yaml', () => {
  it('declares credvend-public and credvend-internal, both built from this repository', () => {
    expect(functions.map(([name]) => name).sort()).toEqual(['credvend-internal', 'credvend-public'])
    for (const [, r] of functions)
      expect(r.actions?.['pre-deploy']?.[0]?.run).toBe('npm ci && npm run build:fc')
  })

  it.each(functions)(
    '%s: every handler it names exists in the bundle, with its own config that loads',
    async (_name, r) => {
      const [file, exported] = String(r.props.handler).split('.')
      expect(r.props.code).toBe('./functions/fc/dist')
      const loaded = createRequire(join(bundleDir, 'index.js'))(join(bundleDir, `${file}.js`))
      expect(typeof loaded[exported!]).toBe('function')
      const configPath = String(r.props.environmentVariables.CREDVEND_CONFIG)
      expect(configPath).toMatch(/^\/code\/config\/[a-z]+\.json$/)
      const source = readFileSync(configPath.replace('/code/config/', 'infra/config/'), 'utf8')
      await expect(loadConfig(source, placeholderResolver)).resolves.toMatchObject({
        generation: expect.any(String),
      })
    },
  )

  it.each(functions)(
    '%s: one of the two FC 3.0 shapes, with a role, memory and timeout',
    (_name, r) => {
      if (String(r.props.runtime).startsWith('custom')) {
        // Custom runtime: many requests per instance share one cache and one set of STS calls.
        expect(r.props.customRuntimeConfig.command).toEqual(['/code/bootstrap'])
        expect(r.props.instanceConcurrency).toBeGreaterThan(1)
      } else {
        // Built-in runtime: FC 3.0 allows one request per instance.
        expect(r.props.runtime).toBe('nodejs20')
        expect(r.props.instanceConcurrency).toBeUndefined()
      }
      expect(r.props.role).toBeTruthy()
      expect(r.props.memorySize).toBeGreaterThanOrEqual(128)
      expect(r.props.timeout).toBeGreaterThan(0)
    },
  )

  it('deploys both shapes: the public function on a custom runtime, the internal one built in', () => {
    expect(spec.resources['credvend-public']!.props.runtime).toMatch(/^custom\./)
    expect(spec.resources['credvend-internal']!.props.runtime).toBe('nodejs20')
  })

  it('only the public function has an internet URL; the two configs differ', () => {
    const trigger = (name: string) => spec.resources[name]!.props.triggers[0].triggerConfig
    expect(trigger('credvend-public').disableURLInternet).toBe(false)
    expect(trigger('credvend-internal').disableURLInternet).toBe(true)
    expect(spec.resources['credvend-public']!.props.environmentVariables.CREDVEND_CONFIG).not.toBe(
      spec.resources['credvend-internal']!.props.environmentVariables.CREDVEND_CONFIG,
    )
  })

  it('holds no secret values, only references to the deploying environment', () => {
    for (const [, r] of functions) {
      for (const [name, value] of Object.entries(
        r.props.environmentVariables as Record<string, string>,
      )) {
        if (name === 'CREDVEND_CONFIG') continue
        expect(value).toMatch(/^\$\{env\('[A-Z0-9_]+'\)\}$/)
      }
    }
  })
})
