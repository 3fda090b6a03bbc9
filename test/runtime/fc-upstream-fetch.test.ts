import { spawn } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import {
  buildFcPackage,
  FC_BOOTSTRAP_FILE,
  FC_HANDLER_FILE,
} from '../../functions/node/tools/fc-package.ts'
import type { TestEmulator } from '../helpers/emulator.ts'
import { FC_TEST_KEY, startFcWorld } from '../helpers/fc-world.ts'
import { freePort } from '../helpers/free-port.ts'
import { CHILD_PROCESS_TIMEOUT_MS } from '../helpers/timeouts.ts'

/**
 * Both shapes of the built code package call STS over node:http, never Node's global fetch
 * (whose undici start-up a cold instance would pay on its first vend): with the global fetch
 * made to throw, a cache miss must still vend.
 */
const NO_GLOBAL_FETCH = `globalThis.fetch = () => { throw new Error('global fetch used') }\n`

type Keys = { accessKeyId: string; accessKeySecret: string; securityToken: string }
let emulator: TestEmulator
let keys: Keys
let packageDir: string
let worldEnv: Record<string, string>
const saved = { ...process.env }

beforeAll(async () => {
  const world = await startFcWorld()
  emulator = world.emulator
  worldEnv = world.env
  keys = await world.functionKeys()
  packageDir = mkdtempSync(join(tmpdir(), 'credvend-fc-fetch-'))
  await buildFcPackage(packageDir)
}, CHILD_PROCESS_TIMEOUT_MS)
afterAll(async () => {
  for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name]
  Object.assign(process.env, saved)
  await emulator?.close()
})

const assumeRoles = () => emulator.calls.byAction.get('AssumeRole') ?? 0

describe('the built FC code package calls STS without the global fetch', () => {
  it('built-in runtime: index.handler vends a cache miss', async () => {
    for (const name of Object.keys(process.env))
      if (name.startsWith('ALIBABA_CLOUD_')) delete process.env[name]
    Object.assign(process.env, worldEnv, { HOME: packageDir })
    vi.stubGlobal('fetch', () => {
      throw new Error('global fetch used')
    })
    const { handler } = createRequire(join(packageDir, 'package.json'))(
      join(packageDir, FC_HANDLER_FILE),
    ) as {
      handler: (e: Buffer, c: unknown) => Promise<{ statusCode: number; body: string }>
    }
    const event = {
      rawPath: '/v1/credentials/plain',
      body: '{}',
      headers: { authorization: `Bearer ${FC_TEST_KEY}`, 'content-type': 'application/json' },
      requestContext: { http: { method: 'POST' } },
    }
    const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true)
    const before = assumeRoles()
    try {
      const result = await handler(Buffer.from(JSON.stringify(event)), {
        requestId: '1-no-global-fetch',
        credentials: keys,
      })
      expect([result.statusCode, JSON.parse(result.body).Code]).toEqual([200, 'Success'])
    } finally {
      write.mockRestore()
      vi.unstubAllGlobals()
    }
    expect(assumeRoles() - before).toBe(1)
  })

  it(
    'custom runtime: the server that bootstrap starts vends a cache miss',
    async () => {
      const preload = join(packageDir, 'no-global-fetch.cjs')
      writeFileSync(preload, NO_GLOBAL_FETCH)
      const port = await freePort()
      const child = spawn(join(packageDir, FC_BOOTSTRAP_FILE), [], {
        env: {
          PATH: process.env.PATH!,
          HOME: packageDir,
          NODE_OPTIONS: `--require ${preload}`,
          FC_CUSTOM_LISTEN_PORT: String(port),
          FC_FUNCTION_NAME: 'credvend-public',
          ...worldEnv,
        },
        stdio: ['ignore', 'pipe', 'inherit'],
      })
      try {
        await new Promise<void>((resolve, reject) => {
          child.once('exit', (code) => reject(new Error(`bootstrap exited with ${code}`)))
          child.stdout!.on('data', (chunk: Buffer) => {
            if (chunk.toString('utf8').includes('"listening"')) resolve()
          })
        })
        const before = assumeRoles()
        const answer = await fetch(`http://127.0.0.1:${port}/v1/credentials/plain`, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${FC_TEST_KEY}`,
            'content-type': 'application/json',
            'x-fc-access-key-id': keys.accessKeyId,
            'x-fc-access-key-secret': keys.accessKeySecret,
            'x-fc-security-token': keys.securityToken,
          },
          body: '{}',
        })
        expect([answer.status, (await answer.json()).Code]).toEqual([200, 'Success'])
        expect(assumeRoles() - before).toBe(1)
      } finally {
        child.kill()
      }
    },
    CHILD_PROCESS_TIMEOUT_MS,
  )
})

/**
 * A child process that loads index.js, vends one cache miss (a POST, so the request has a body)
 * and reports which of Node's undici modules it loaded: none, as the built-in bundle's Headers,
 * Request and Response are its own (functions/fc/light-web-globals.ts).
 */
const probeLoadedUndici = (event: object) => `
const { handler } = require('./${FC_HANDLER_FILE}')
process.stdout.write = () => true
handler(Buffer.from(${JSON.stringify(JSON.stringify(event))}), {
  requestId: '1-undici', credentials: JSON.parse(process.env.PROBE_KEYS) })
  .then((r) => {
    const undici = process.moduleLoadList.filter((m) => m.includes('undici'))
    process.stderr.write(JSON.stringify({ status: r.statusCode, code: JSON.parse(r.body).Code, undici }))
  })
`

describe('the built-in bundle answers without loading undici', () => {
  it(
    'a cold index.js vends a miss with no undici module loaded',
    async () => {
      const event = {
        rawPath: '/v1/credentials/plain',
        body: '{}',
        headers: { authorization: `Bearer ${FC_TEST_KEY}`, 'content-type': 'application/json' },
        requestContext: { http: { method: 'POST' } },
      }
      const child = spawn(process.execPath, ['-e', probeLoadedUndici(event)], {
        cwd: packageDir,
        env: {
          PATH: process.env.PATH!,
          HOME: packageDir,
          PROBE_KEYS: JSON.stringify(keys),
          ...worldEnv,
        },
        stdio: ['ignore', 'ignore', 'pipe'],
      })
      let report = ''
      child.stderr!.on('data', (chunk: Buffer) => (report += chunk.toString('utf8')))
      const code = await new Promise((resolve) => child.once('exit', resolve))
      expect(code).toBe(0)
      expect(JSON.parse(report)).toEqual({ status: 200, code: 'Success', undici: [] })
    },
    CHILD_PROCESS_TIMEOUT_MS,
  )
})
