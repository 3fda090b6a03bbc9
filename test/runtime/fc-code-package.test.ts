import { spawn, type ChildProcess } from 'node:child_process'
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs'
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

type Keys = { accessKeyId: string; accessKeySecret: string; securityToken: string }

/** The code package's bootstrap, started as FC starts a custom runtime: its env, its port. */
const startBootstrap = async (dir: string, env: Record<string, string>) => {
  const port = await freePort()
  const lines: Array<Record<string, unknown>> = []
  const child = spawn(join(dir, FC_BOOTSTRAP_FILE), [], {
    env: { PATH: process.env.PATH!, HOME: dir, FC_CUSTOM_LISTEN_PORT: String(port), ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  let buffered = ''
  const listening = new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`bootstrap exited with ${code}`)))
    child.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8')
      for (let at = buffered.indexOf('\n'); at >= 0; at = buffered.indexOf('\n')) {
        const line = JSON.parse(buffered.slice(0, at)) as Record<string, unknown>
        buffered = buffered.slice(at + 1)
        lines.push(line)
        if (line.event === 'listening') resolve()
      }
    })
  })
  await listening
  return { child, lines, url: `http://127.0.0.1:${port}` }
}

/** A request as FC's front end hands it to the runtime: the caller's, plus FC's own headers. */
const invoke = (url: string, keys: Keys, fcRequestId: string, body: Record<string, unknown> = {}) =>
  fetch(`${url}/v1/credentials/plain`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${FC_TEST_KEY}`,
      'content-type': 'application/json',
      'x-fc-request-id': fcRequestId,
      'x-fc-access-key-id': keys.accessKeyId,
      'x-fc-access-key-secret': keys.accessKeySecret,
      'x-fc-security-token': keys.securityToken,
    },
    body: JSON.stringify(body),
  })

let emulator: TestEmulator
let functionKeys: (sessionName?: string) => Promise<Keys>
let keys: Keys
let packageDir: string
let worldEnv: Record<string, string>
let onFc: Awaited<ReturnType<typeof startBootstrap>>
let offFc: Awaited<ReturnType<typeof startBootstrap>>
const children: ChildProcess[] = []

beforeAll(async () => {
  const world = await startFcWorld()
  emulator = world.emulator
  functionKeys = world.functionKeys
  keys = await functionKeys()
  const dir = mkdtempSync(join(tmpdir(), 'credvend-fc-package-'))
  await buildFcPackage(dir)
  packageDir = dir
  worldEnv = world.env
  onFc = await startBootstrap(dir, { ...world.env, FC_FUNCTION_NAME: 'credvend-public' })
  offFc = await startBootstrap(dir, world.env)
  children.push(onFc.child, offFc.child)
}, CHILD_PROCESS_TIMEOUT_MS)

afterAll(async () => {
  for (const child of children) child.kill()
  await emulator?.close()
})

describe(
  'FC 3.0 custom runtime: the built code package started by its bootstrap',
  { timeout: CHILD_PROCESS_TIMEOUT_MS },
  () => {
    it('50 concurrent requests for one caller make exactly one STS call', async () => {
      const assumeRoles = () => emulator.calls.byAction.get('AssumeRole') ?? 0
      const before = assumeRoles()
      const answers = await Promise.all(
        Array.from({ length: 50 }, (_, i) => invoke(onFc.url, keys, `1-stampede-${i}`)),
      )
      expect(answers.map((a) => a.status)).toEqual(Array(50).fill(200))
      const bodies = await Promise.all(answers.map((a) => a.json()))
      expect(new Set(bodies.map((b) => b.AccessKeyId)).size).toBe(1)
      expect(assumeRoles() - before).toBe(1)
    })

    it('signs a cache miss with the keys FC handed to that request, never earlier ones', async () => {
      const broken = { ...keys, accessKeySecret: 'not-the-secret' }
      const refused = await invoke(onFc.url, broken, '1-broken', { durationSeconds: 2400 })
      expect(refused.status).toBeGreaterThanOrEqual(500)
      expect((await refused.json()).Code).toMatch(/^ERR_STS_/)
      const rotated = await functionKeys('fc-rotated')
      const served = await invoke(onFc.url, rotated, '1-rotated', { durationSeconds: 2400 })
      expect([served.status, (await served.json()).Code]).toEqual([200, 'Success'])
    })

    it("carries FC's request id in X-Request-Id and the audit line", async () => {
      const answer = await invoke(onFc.url, keys, '1-64f6cd87-0123456789ab', {
        durationSeconds: 3000,
      })
      expect(answer.status).toBe(200)
      expect(answer.headers.get('x-request-id')).toBe('1-64f6cd87-0123456789ab')
      // Written before the answer left, but the pipe from the child may deliver it later.
      await vi.waitFor(
        () =>
          expect(onFc.lines.filter((l) => l.requestId === '1-64f6cd87-0123456789ab')).toEqual([
            expect.objectContaining({ type: 'audit', outcome: 'ok' }),
          ]),
        { timeout: CHILD_PROCESS_TIMEOUT_MS, interval: 20 },
      )
    })

    it('off Function Compute, x-fc-* headers are nobody’s word: no keys, no request id taken', async () => {
      const answer = await invoke(offFc.url, keys, '1-forged', { durationSeconds: 1200 })
      expect(answer.headers.get('x-request-id')).not.toBe('1-forged')
      expect([answer.status, (await answer.json()).Code]).toEqual([503, 'ERR_PROVIDER_UNAVAILABLE'])
    })
  },
)

/** One FC 3.0 HTTP-trigger invocation of a vend, as FC hands it to `index.handler`. */
const vendEvent = (durationSeconds: number) =>
  Buffer.from(
    JSON.stringify({
      version: 'v1',
      rawPath: '/v1/credentials/plain',
      body: JSON.stringify({ durationSeconds }),
      isBase64Encoded: false,
      headers: { Authorization: `Bearer ${FC_TEST_KEY}`, 'Content-Type': 'application/json' },
      queryParameters: {},
      requestContext: {
        http: { method: 'POST', path: '/v1/credentials/plain', sourceIp: '11.11.11.11' },
        requestId: '1-event-id',
      },
    }),
  )

describe('FC 3.0 built-in runtime: index.handler of the built code package', () => {
  type Handler = (
    event: Buffer,
    context: { requestId: string; credentials: Keys },
  ) => Promise<{ statusCode: number; headers: Record<string, string>; body: string }>
  const saved = { ...process.env }
  let handler: Handler
  beforeAll(() => {
    for (const name of Object.keys(process.env))
      if (name.startsWith('ALIBABA_CLOUD_')) delete process.env[name]
    Object.assign(process.env, worldEnv, { HOME: packageDir })
    handler = createRequire(join(packageDir, 'package.json'))(join(packageDir, FC_HANDLER_FILE))
      .handler as Handler
  })
  afterAll(() => {
    for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name]
    Object.assign(process.env, saved)
  })

  it('signs each STS call with the context.credentials of that invocation, and logs FC’s id', async () => {
    const lines: string[] = []
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      lines.push(String(chunk))
      return true
    })
    try {
      const first = await handler(vendEvent(1200), { requestId: '1-first', credentials: keys })
      expect([first.statusCode, JSON.parse(first.body).Code]).toEqual([200, 'Success'])
      expect(first.headers['x-request-id']).toBe('1-first')
      const broken = { ...keys, accessKeySecret: 'not-the-secret' }
      const refused = await handler(vendEvent(1800), { requestId: '1-broken', credentials: broken })
      expect(JSON.parse(refused.body).Code).toMatch(/^ERR_STS_/)
      const rotated = await functionKeys('fc-rotated-builtin')
      const later = await handler(vendEvent(1800), { requestId: '1-later', credentials: rotated })
      expect([later.statusCode, JSON.parse(later.body).Code]).toEqual([200, 'Success'])
    } finally {
      write.mockRestore()
    }
    const audit = lines.map((l) => JSON.parse(l)).filter((l) => l.type === 'audit')
    expect(audit.map((l) => [l.requestId, l.outcome])).toEqual([
      ['1-first', 'ok'],
      ['1-broken', expect.stringMatching(/^ERR_STS_/)],
      ['1-later', 'ok'],
    ])
  })
})

describe('FC 3.0 built-in runtime: a config that does not load', () => {
  it('answers ERR_CONFIG_INVALID and logs each problem at its line and column (config-scan.js loads)', async () => {
    type Handler = (
      event: Buffer,
      context: { requestId: string; credentials: Keys },
    ) => Promise<{ statusCode: number; body: string }>
    // A copy of the package, so its index.js is a module of its own with its own config.
    const dir = mkdtempSync(join(tmpdir(), 'credvend-fc-bad-config-'))
    cpSync(packageDir, dir, { recursive: true })
    const config = join(dir, 'config', 'broken.json')
    writeFileSync(
      config,
      '{\n  "region": "cn-hangzhou",\n  "profiles": {\n    "x": { "kind": 7 }\n  }\n}\n',
    )
    const saved = { ...process.env }
    Object.assign(process.env, worldEnv, { HOME: dir, CREDVEND_CONFIG: config })
    // The world's config travels as CREDVEND_CONFIG_JSON, which wins; this test reads the file.
    delete process.env.CREDVEND_CONFIG_JSON
    const lines: string[] = []
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      lines.push(String(chunk))
      return true
    })
    try {
      const handler = createRequire(join(dir, 'package.json'))(join(dir, FC_HANDLER_FILE))
        .handler as Handler
      const answer = await handler(vendEvent(1200), { requestId: '3-broken', credentials: keys })
      expect(JSON.parse(answer.body).Code).toBe('ERR_CONFIG_INVALID')
    } finally {
      write.mockRestore()
      for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name]
      Object.assign(process.env, saved)
    }
    const failed = lines.map((l) => JSON.parse(l)).find((l) => l.event === 'load-failed')
    expect(failed.problems).toContainEqual(
      expect.objectContaining({ path: 'profiles.x.kind', line: 4, column: 20 }),
    )
  })
})
