/**
 * `npm run bench`: the README's budgets, each as a ratio against a baseline measured in this
 * same run. Prints a table; exits 1 if a budget is missed. Never part of `npm test`.
 */
import { gzipSync } from 'node:zlib'
import { buildWorkerWithWrangler } from '../../functions/node/tools/build-worker.ts'
import { jwtVerify, createLocalJWKSet } from 'jose'
import { startVendHarness } from '../helpers/vend-harness.ts'
import { bareApp, benchApp } from './bench-setup.ts'
import { measure } from './measure.ts'

type Row = {
  what: string
  baseline: string
  measured: string
  ratio: string
  budget: string
  ok: boolean
}
const rows: Row[] = []
const us = (n: number) => `${n.toFixed(1)} µs`

const N = 2000
const { app, signer, sts, credvend } = await benchApp()
const tokens = await Promise.all(
  Array.from({ length: 6 * N + 400 }, (_, i) =>
    signer.sign({ jti: `t${i}` }, { sub: `user-${i}` }),
  ),
)
const alice = await signer.sign({}, { sub: 'alice' })
const get = (profile: string, token: string) =>
  Promise.resolve(
    app.request(`/v1/credentials/${profile}`, { headers: { authorization: `Bearer ${token}` } }),
  ).then((r) => {
    // A row that timed error answers would be meaningless: stop instead.
    if (r.status !== 200) throw new Error(`bench vend answered ${r.status}`)
    return r.text()
  })

// Row 1: cache hit, JWT already verified, against a bare Hono route returning the same JSON.
const sample = JSON.parse(await get('a', alice))
const bare = bareApp(sample)
const hitUs = await measure(() => get('a', alice), N)
const bareUs = await measure(
  () => Promise.resolve(bare.request('/v1/credentials/a')).then((r) => r.text()),
  N,
)
const throughputShare = bareUs / hitUs
rows.push({
  what: 'vend, cache hit, JWT already verified (app.request)',
  baseline: `bare Hono route ${us(bareUs)}`,
  measured: us(hitUs),
  ratio: `${(throughputShare * 100).toFixed(0)} % of its throughput`,
  budget: '≥ 40 %',
  ok: throughputShare >= 0.4,
})

// Row 2: first sight of a JWT, credentials cache hit — against jwtVerify alone on the same tokens.
// Every token is new (distinct jti) but names the same caller, whose credentials are cached.
const firstSightTokens = await Promise.all(
  Array.from({ length: 6 * N + 400 }, (_, i) => signer.sign({ jti: `f${i}` }, { sub: 'alice' })),
)
const keys = createLocalJWKSet({ keys: [signer.jwk] })
const firstSightUs = await measure((i) => get('a', firstSightTokens[i]!), N)
const verifyUs = await measure(
  (i) =>
    jwtVerify(firstSightTokens[i]!, keys, {
      issuer: 'https://login.example.com',
      audience: 'credvend',
      algorithms: ['ES256'],
    }),
  N,
)
rows.push({
  what: 'vend, first sight of a JWT, cache hit',
  baseline: `jose.jwtVerify alone ${us(verifyUs)}`,
  measured: us(firstSightUs),
  ratio: `${(firstSightUs / verifyUs).toFixed(2)}×`,
  budget: '≤ 1.3×',
  ok: firstSightUs / verifyUs <= 1.3,
})

// Row 3: cache miss with STS answered at once, against the cache-hit vend. Callers' JWTs are
// verified beforehand (profile "a"), so the miss on profile "b" is the vend path alone.
for (let i = 0; i < tokens.length; i++) await get('a', tokens[i]!)
const missUs = await measure((i) => get('b', tokens[i]!), N)
const warmHitUs = await measure((i) => get('a', tokens[i]!), N)
rows.push({
  what: 'vend, cache miss, STS answered instantly (injected fetch)',
  baseline: `cache-hit vend ${us(warmHitUs)}`,
  measured: us(missUs),
  ratio: `${(missUs / warmHitUs).toFixed(2)}×`,
  budget: '≤ 2×',
  ok: missUs / warmHitUs <= 2,
})

// Row 4: STS calls under concurrency, counted at the emulator.
const h = await startVendHarness()
const one = await h.signer.sign({}, { sub: 'alice' })
await Promise.all(
  Array.from({ length: 1000 }, () => h.request('/v1/credentials/plain', { token: one })),
)
const identical = h.assumeRoleCalls()
const ten = await Promise.all(
  Array.from({ length: 10 }, (_, i) => h.signer.sign({}, { sub: `c${i}` })),
)
await Promise.all(
  Array.from({ length: 1000 }, (_, i) =>
    h.request('/v1/credentials/plain', { token: ten[i % 10]! }),
  ),
)
const tenCallers = h.assumeRoleCalls() - identical
await h.close()
rows.push({
  what: 'STS calls: 1,000 identical concurrent requests',
  baseline: '—',
  measured: `${identical}`,
  ratio: '—',
  budget: 'exactly 1',
  ok: identical === 1,
})
rows.push({
  what: 'STS calls: 1,000 requests from 10 callers',
  baseline: '—',
  measured: `${tenCallers}`,
  ratio: '—',
  budget: 'exactly 10',
  ok: tenCallers === 10,
})

// Row 6: heap per cached session with 1,000-character security tokens.
const gc = (globalThis as { gc?: () => void }).gc
if (!gc) throw new Error('run with --expose-gc (npm run bench does)')
const mem = await benchApp()
const memTokens = await Promise.all(
  Array.from({ length: 5000 }, (_, i) => mem.signer.sign({}, { sub: `m-${i}` })),
)
// Verify every caller's JWT first (profile "a"), so the measured growth is the credentials cache.
for (const t of memTokens)
  await mem.app.request('/v1/credentials/a', { headers: { authorization: `Bearer ${t}` } })
gc()
const before = process.memoryUsage().heapUsed
const sessions = 5000
for (let i = 0; i < sessions; i++) {
  const res = await mem.app.request('/v1/credentials/b', {
    headers: { authorization: `Bearer ${memTokens[i]}` },
  })
  if (res.status !== 200)
    throw new Error(`memory row: vend ${i} answered ${res.status}; the row would measure errors`)
}
gc()
const perSession = (process.memoryUsage().heapUsed - before) / sessions
rows.push({
  what: `memory per cached session (1,000-char tokens, ${sessions} sessions)`,
  baseline: 'heap before caching',
  measured: `${(perSession / 1024).toFixed(2)} KB`,
  ratio: '—',
  budget: '≤ 3 KB',
  ok: perSession <= 3 * 1024,
})

// Row 5: cold start of both FC shapes, from the code package as `npm run build:fc` writes it,
// against an empty node process and the official @alicloud/sts20150401 + @alicloud/credentials
// import, in fresh processes: the built-in runtime's handler (import + app + one /healthz) and the
// custom runtime's server (import + listen + one /healthz over HTTP).
const { mkdtempSync, readFileSync } = await import('node:fs')
const { tmpdir } = await import('node:os')
const { join } = await import('node:path')
const { spawnSync } = await import('node:child_process')
const { buildFcPackage, FC_HANDLER_FILE, FC_SERVER_FILE } =
  await import('../../functions/node/tools/fc-package.ts')
const dir = mkdtempSync(join(tmpdir(), 'credvend-cold-'))
await buildFcPackage(dir)
const fcBundle = readFileSync(join(dir, FC_HANDLER_FILE), 'utf8')
const fcConfig = JSON.stringify({
  region: 'cn-hangzhou',
  sts: { endpoint: 'https://sts.cn-hangzhou.aliyuncs.com' },
  callers: {},
  profiles: {},
})
const healthEvent = JSON.stringify({
  rawPath: '/healthz',
  requestContext: { http: { method: 'GET' } },
})
const coldMs = (script: (run: number) => string, cwd = process.cwd()) => {
  const runs: number[] = []
  for (let i = 0; i < 9; i++) {
    const start = performance.now()
    const r = spawnSync(process.execPath, ['-e', script(i)], {
      cwd,
      env: { PATH: process.env.PATH, CREDVEND_CONFIG_JSON: fcConfig },
      encoding: 'utf8',
    })
    if (r.status !== 0) throw new Error(`cold-start probe failed: ${r.stderr}`)
    runs.push(performance.now() - start)
  }
  return runs.sort((a, b) => a - b)[4]!
}
const emptyMs = coldMs(() => '')
const officialMs = coldMs(
  () => "require('@alicloud/sts20150401'); require('@alicloud/credentials')",
)
const builtInMs = coldMs(
  () =>
    `require('./${FC_HANDLER_FILE}').handler(Buffer.from(${JSON.stringify(healthEvent)}), {}).then((r) => { if (r.statusCode !== 200) process.exit(1) })`,
  dir,
)
// node:http for the probe's own request: a fetch would add undici's start-up to the server's.
const customMs = coldMs(
  (run) => `const port = ${41_000 + run}; process.env.FC_CUSTOM_LISTEN_PORT = String(port)
require('./${FC_SERVER_FILE}')
const ask = () => require('node:http').get({ host: '127.0.0.1', port, path: '/healthz' }, (r) => {
  r.resume(); r.on('end', () => process.exit(r.statusCode === 200 ? 0 : 1))
}).on('error', () => setTimeout(ask, 1))
ask()`,
  dir,
)
const officialAddedMs = officialMs - emptyMs
const baseline = `empty node ${emptyMs.toFixed(0)} ms; official SDK import +${officialAddedMs.toFixed(0)} ms`
for (const [shape, ms] of [
  ['built-in runtime: import + app + /healthz', builtInMs],
  ['custom runtime: import + listen + /healthz over HTTP', customMs],
] as const) {
  const addedShare = (ms - emptyMs) / officialAddedMs
  rows.push({
    what: `FC cold start, ${shape}`,
    baseline,
    measured: `+${(ms - emptyMs).toFixed(0)} ms`,
    ratio: `${(addedShare * 100).toFixed(0)} % of the official added time`,
    budget: '≤ 20 %',
    ok: addedShare <= 0.2,
  })
}
const bundleKb = Buffer.byteLength(fcBundle) / 1024
rows.push({
  what: 'FC bundle size (minified)',
  baseline: '—',
  measured: `${bundleKb.toFixed(0)} KB`,
  ratio: '—',
  budget: '≤ 200 KB',
  ok: bundleKb <= 200,
})

// The Worker as wrangler builds it for a deployment; no budget is set for it.
const worker = (await buildWorkerWithWrangler()).script
rows.push({
  what: 'Workers bundle size (wrangler dry-run, minified)',
  baseline: '—',
  measured: `${(Buffer.byteLength(worker) / 1024).toFixed(0)} KB (${(gzipSync(worker).length / 1024).toFixed(0)} KB gzipped)`,
  ratio: '—',
  budget: 'none',
  ok: true,
})

const headers: Array<keyof Row> = ['what', 'baseline', 'measured', 'ratio', 'budget']
const table = [
  [...headers.map(String), 'status'],
  ...rows.map((r) => [...headers.map((k) => String(r[k])), r.ok ? 'ok' : 'MISSED']),
]
const widths = table[0]!.map((_, c) => Math.max(...table.map((row) => (row[c] ?? '').length)))
for (const [i, row] of table.entries()) {
  console.log(`| ${row.map((cell, c) => cell.padEnd(widths[c] ?? 0)).join(' | ')} |`)
  if (i === 0) console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`)
}
console.log(
  `\nnode ${process.version}, ${sts.calls() + mem.sts.calls()} instant STS answers, stats: ${JSON.stringify(credvend.stats().cacheEntries)} cached`,
)
process.exit(rows.every((r) => r.ok) ? 0 : 1)
