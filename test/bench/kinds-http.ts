import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import autocannon from 'autocannon'
import { serverLineLog } from '../../functions/node/platform/stdout-log.ts'
import { listenLoopback } from '../../functions/node/cli/local/local-emulator.ts'
import { interleave, median } from './measure.ts'
import { KINDS, startKinds, type Kind } from './kinds-setup.ts'
import { addRow, attempt, micros, percent, spreadOf } from './table.ts'

const SECONDS_PER_ROUND = 2
const CONNECTIONS = 10

interface Ready {
  readonly appUrl: string
  readonly bareUrl: string
  readonly token: string
}

/**
 * The server side, run in a child process: the app on @hono/node-server as the Node server serves
 * it (the socket's peer as the source address, its audit lines batched per event-loop turn on
 * stdout as the Node server writes them), and the bare route on a second port of the same
 * process. Only one of the two is loaded at a time.
 */
export const serveKinds = async () => {
  const kinds = await startKinds({ log: serverLineLog })
  type Env = { incoming: { socket?: { remoteAddress?: string | undefined } } }
  const peer = (env: Env) => {
    const sourceAddress = env.incoming.socket?.remoteAddress
    return sourceAddress ? { sourceAddress } : {}
  }
  const app = await listenLoopback((req, env) => kinds.app.fetch(req, peer(env)), 0)
  const bare = await listenLoopback((req) => kinds.bare.fetch(req), 0)
  const ready: Ready = {
    appUrl: `http://127.0.0.1:${app.port}`,
    bareUrl: `http://127.0.0.1:${bare.port}`,
    token: kinds.token,
  }
  // The parent asks before and after each round: CPU per request, which other processes' load
  // does not inflate, beside the requests per second, which it does.
  process.on('message', () => process.send!(process.cpuUsage()))
  process.send!(ready)
}

/** Starts `serveKinds` in a fresh node; the load generator stays in this process, on the other core. */
const startServerProcess = async () => {
  const entry = fileURLToPath(new URL('./kinds-http.ts', import.meta.url))
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      '--input-type=module',
      '-e',
      `import { serveKinds } from ${JSON.stringify(entry)}; await serveKinds()`,
    ],
    // The audit lines go to /dev/null: written as on a server, never read.
    { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] },
  )
  const ready = await new Promise<Ready>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error('the bench server did not start in 60 s')),
      60_000,
    )
    child.once('message', (m) => {
      clearTimeout(timer)
      resolve(m as Ready)
    })
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`the bench server exited with ${code}`))
    })
  })
  const cpu = () =>
    new Promise<number>((resolve) => {
      child.once('message', (m) => {
        const used = m as NodeJS.CpuUsage
        resolve(used.user + used.system)
      })
      child.send('cpu')
    })
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve()
      child.once('exit', () => resolve())
      child.kill()
    })
  return { ready, cpu, stop }
}

/** Requests per second answered 200 over one round, and their count; anything else stops the row. */
const requestsPerSecond = async (
  url: string,
  token: string,
  load: { duration: number } | { amount: number },
) => {
  const result = await autocannon({
    url,
    connections: CONNECTIONS,
    pipelining: 1,
    headers: { authorization: `Bearer ${token}` },
    ...load,
  })
  if (result.non2xx > 0 || result.errors > 0)
    throw new Error(`${url}: ${result.non2xx} non-2xx answers, ${result.errors} errors`)
  return { perSecond: result['2xx'] / result.duration, count: result['2xx'] }
}

/**
 * Each profile kind's cache hit, requests per second with autocannon on
 * loopback (10 connections, no pipelining, 2 s per round), against the bare route's server,
 * interleaved round by round.
 */
export const kindsHttpRows = async () => {
  const server = await startServerProcess()
  try {
    const { appUrl, bareUrl, token } = server.ready
    for (const kind of Object.keys(KINDS) as Kind[]) {
      await attempt(`cache hit, ${KINDS[kind]} (HTTP)`, async () => {
        const path = `/v1/credentials/${kind}`
        // Enough for the JIT to settle on this kind's path, without spending a whole round on it.
        await requestsPerSecond(appUrl + path, token, { duration: 1 })
        await requestsPerSecond(bareUrl + path, token, { duration: 1 })
        const cpuPerRequest: Record<string, number[]> = { [appUrl]: [], [bareUrl]: [] }
        const round = (url: string) => async () => {
          const cpuBefore = await server.cpu()
          const { perSecond, count } = await requestsPerSecond(url + path, token, {
            duration: SECONDS_PER_ROUND,
          })
          cpuPerRequest[url]!.push(((await server.cpu()) - cpuBefore) / count)
          return perSecond
        }
        const r = await interleave({
          variant: round(appUrl),
          baseline: round(bareUrl),
          ratio: (app, bare) => app / bare,
          warmup: 0,
        })
        const appCpu = median(cpuPerRequest[appUrl]!)
        const bareCpu = median(cpuPerRequest[bareUrl]!)
        addRow({
          what: `cache hit, ${KINDS[kind]} (HTTP, node-server, autocannon)`,
          baseline: `bare Hono route on node-server: ${median(r.baseline).toFixed(0)} req/s, server CPU ${micros(bareCpu)}/request`,
          measured: `${median(r.variant).toFixed(0)} req/s, server CPU ${micros(appCpu)}/request (${percent(bareCpu / appCpu)} by CPU)`,
          ratio: `${percent(r.ratio)} of its throughput`,
          spread: spreadOf(r, percent),
          budget: '≥ 50 % (stretch 60 %)',
          ok: r.ratio >= 0.5,
        })
      })
    }
  } finally {
    await server.stop()
  }
}
