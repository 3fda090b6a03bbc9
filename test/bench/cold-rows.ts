import { mkdtemp, readdir, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'
import { buildWorkerWithWrangler } from '../../functions/node/tools/build-worker.ts'
import {
  buildFcPackage,
  FC_HANDLER_FILE,
  FC_SERVER_FILE,
} from '../../functions/node/tools/fc-package.ts'
import { FC_TEST_KEY, startFcWorld } from '../helpers/fc-world.ts'
import { freePort } from '../helpers/free-port.ts'
import { reportAnswer, timeScript, timeServer, type Timing } from './cold-probes.ts'
import { median } from './measure.ts'
import { addRow, attempt, percent } from './table.ts'

/** Spawns of each probe that count, after one round that fills the file cache. */
const SPAWNS = 7
const root = fileURLToPath(new URL('../../', import.meta.url))
const kb = (bytes: number) => `${(bytes / 1024).toFixed(0)} KB`

/**
 * The first vend of a cold process on FC, from the code package as `npm run build:fc`
 * writes it, against the official SDK doing one AssumeRole, both against the STS emulator on
 * loopback and both with their first `fetch`/socket included. An empty `node -e` spawn is
 * subtracted from every probe, as Node's own start is the same for all and no code's to save.
 * Also the package's size.
 */
export const coldRows = async () => {
  const dir = await mkdtemp(join(tmpdir(), 'credvend-bench-fc-'))
  const world = await startFcWorld()
  try {
    await buildFcPackage(dir)
    await attempt('FC code package size', () => sizeRows(dir))
    await attempt('FC cold start', () => coldStartRows(dir, world))
  } finally {
    await world.emulator.close()
    await rm(dir, { recursive: true, force: true })
  }
}

const sizeRows = async (dir: string) => {
  const handler = (await stat(join(dir, FC_HANDLER_FILE))).size
  addRow({
    what: `FC code package: ${FC_HANDLER_FILE}, what the built-in shape loads (minified)`,
    baseline: '—',
    measured: kb(handler),
    ratio: '—',
    spread: '—',
    budget: '≤ 180 KB',
    ok: handler <= 180 * 1024,
  })
  const files = await readdir(dir, { recursive: true })
  const sizes = await Promise.all(files.map(async (f) => (await stat(join(dir, f))).size))
  const whole = sizes.reduce((a, b) => a + b, 0)
  const server = (await stat(join(dir, FC_SERVER_FILE))).size
  addRow({
    what: `FC code package: ${FC_SERVER_FILE} (custom shape); every file (ioredis's chunk included)`,
    baseline: '—',
    measured: `${kb(server)}; ${kb(whole)} in all`,
    ratio: '—',
    spread: '—',
    budget: 'none',
    ok: 'report',
  })
}

const coldStartRows = async (dir: string, world: Awaited<ReturnType<typeof startFcWorld>>) => {
  const keys = await world.functionKeys('bench-cold')
  const fcEnv = { PATH: process.env.PATH ?? '', HOME: dir, ...world.env }
  const path = '/v1/credentials/plain'
  const event = JSON.stringify({
    version: 'v1',
    rawPath: path,
    headers: { Authorization: `Bearer ${FC_TEST_KEY}` },
    queryParameters: {},
    requestContext: { http: { method: 'GET', path, sourceIp: '11.11.11.11' }, requestId: 'cold' },
  })
  const builtIn = `require('./${FC_HANDLER_FILE}')
  .handler(Buffer.from(${JSON.stringify(event)}), { requestId: 'cold', credentials: ${JSON.stringify(keys)} })
  .then((r) => r.statusCode).then(${reportAnswer})`
  const official = `const Sts = require('@alicloud/sts20150401')
const { $OpenApiUtil } = require('@alicloud/openapi-core')
const client = new Sts.default(new $OpenApiUtil.Config({ ...${JSON.stringify(keys)},
  endpoint: ${JSON.stringify(new URL(world.emulator.stsEndpoint).host)}, protocol: 'http' }))
client.assumeRole(new Sts.AssumeRoleRequest({ roleArn: ${JSON.stringify(world.targetArn)},
  roleSessionName: 'bench-cold', durationSeconds: 900 }))
  .then((r) => r.statusCode).then(${reportAnswer})`
  const empty = `Promise.resolve(200).then(${reportAnswer})`
  const bare = { PATH: process.env.PATH ?? '' }
  const probes = {
    empty: () => timeScript(empty, root, bare),
    official: () => timeScript(official, root, bare),
    builtIn: () => timeScript(builtIn, dir, fcEnv),
    custom: async () =>
      timeServer({
        cwd: dir,
        env: { ...fcEnv, FC_FUNCTION_NAME: 'credvend-bench' },
        port: await freePort(),
        path,
        headers: {
          authorization: `Bearer ${FC_TEST_KEY}`,
          'x-fc-request-id': 'cold',
          'x-fc-access-key-id': keys.accessKeyId,
          'x-fc-access-key-secret': keys.accessKeySecret,
          'x-fc-security-token': keys.securityToken,
        },
      }),
  }
  type Probe = keyof typeof probes
  const names = Object.keys(probes) as Probe[]
  const runs: Record<Probe, Timing[]> = { empty: [], official: [], builtIn: [], custom: [] }
  for (let round = 0; round <= SPAWNS; round++) {
    // Each round starts with a different probe, so none always follows the same neighbour.
    for (let k = 0; k < names.length; k++) {
      const name = names[(round + k) % names.length]!
      const t = await probes[name]()
      if (round > 0) runs[name].push(t)
    }
  }
  const wall = (name: Probe) => median(runs[name].map((t) => t.wallMs))
  const cpu = (name: Probe) => median(runs[name].map((t) => t.cpuMs))
  const officialAdded = wall('official') - wall('empty')
  const officialCpu = cpu('official') - cpu('empty')
  const baseline =
    `official SDK (@alicloud/sts20150401 + openapi-core) import + one AssumeRole: ` +
    `+${officialAdded.toFixed(0)} ms, CPU +${officialCpu.toFixed(0)} ms ` +
    `(empty node -e: ${wall('empty').toFixed(0)} ms, CPU ${cpu('empty').toFixed(0)} ms; subtracted)`
  // The budget is the built-in shape's, whose Headers, Request and Response are the bundle's own;
  // the custom shape runs on @hono/node-server, which loads Node's undici for them (≈ 35 ms).
  for (const [name, shape, budgeted] of [
    ['builtIn', `built-in shape: require ${FC_HANDLER_FILE} + handler, one vend`, true],
    ['custom', `custom shape: node ${FC_SERVER_FILE} + one vend over HTTP`, false],
  ] as const) {
    // Medians over the spawns first, then the ratio: a ratio per round of two differences is
    // meaningless whenever load makes one spawn's difference tiny.
    const added = wall(name) - wall('empty')
    const share = added / officialAdded
    const shares = runs[name].map(
      (t, i) => (t.wallMs - wall('empty')) / (runs.official[i]!.wallMs - wall('empty')),
    )
    const cpuAdded = cpu(name) - cpu('empty')
    addRow({
      what: `FC cold start to the first vend's answer, ${shape} (STS emulator on loopback)`,
      baseline,
      measured: `+${added.toFixed(0)} ms over empty node, CPU +${cpuAdded.toFixed(0)} ms (${percent(cpuAdded / officialCpu)} by CPU)`,
      ratio: `${percent(share)} of the official added time (medians)`,
      spread: `${percent(Math.min(...shares))}–${percent(Math.max(...shares))} per round, over ${shares.length} spawns`,
      budget: budgeted ? '≤ 60 %' : 'none',
      ok: budgeted ? share <= 0.6 : 'report',
    })
  }
}

/** The Worker as wrangler builds it for a deployment; reported, no budget. */
export const workerSizeRow = async () => {
  const { outdir, script } = await buildWorkerWithWrangler()
  await rm(outdir, { recursive: true, force: true })
  addRow({
    what: 'Workers bundle (wrangler deploy --dry-run, minified)',
    baseline: '—',
    measured: `${kb(Buffer.byteLength(script))} (${kb(gzipSync(script).length)} gzipped)`,
    ratio: '—',
    spread: '—',
    budget: 'none',
    ok: 'report',
  })
}
