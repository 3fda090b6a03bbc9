import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { bundleFc } from '../../functions/node/tools/bundle-fc.ts'
import { placeholderResolver } from '../../functions/node/cli/commands/config-check.ts'
import { loadConfig } from '../../lib/config/load.ts'
import { CHILD_PROCESS_TIMEOUT_MS } from '../helpers/timeouts.ts'

let bundle: string
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
  bundle = await bundleFc()
  bundleDir = mkdtempSync(join(tmpdir(), 'credvend-fc-'))
  writeFileSync(join(bundleDir, 'index.js'), bundle)
  writeFileSync(join(bundleDir, 'package.json'), '{"type":"commonjs"}')
}, CHILD_PROCESS_TIMEOUT_MS)

describe('FC bundle', () => {
  it('contains no emulator code and no demo keys or demo config', () => {
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
    '%s: Node.js runtime, a role, instanceConcurrency > 1, memory and timeout',
    (_name, r) => {
      expect(r.props.runtime).toMatch(/^nodejs(18|20)$/)
      expect(r.props.role).toBeTruthy()
      expect(r.props.instanceConcurrency).toBeGreaterThan(1)
      expect(r.props.memorySize).toBeGreaterThanOrEqual(128)
      expect(r.props.timeout).toBeGreaterThan(0)
    },
  )

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
