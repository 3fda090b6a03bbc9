import { spawn } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { request } from 'node:http'
import { createInterface } from 'node:readline'

/** What a probe script writes to stderr once it holds the answer: `BENCH-DONE <status>`. */
const DONE = 'BENCH-DONE '
const PROBE_TIMEOUT_MS = 30_000

/**
 * The end of a probe script: report the answer's status, then stay until killed, so the CPU time
 * it used can still be read; or report the error and leave.
 */
export const reportAnswer = `(status) => { process.stderr.write('${DONE}' + status + '\\n'); setInterval(() => {}, 60000) },
  (error) => { process.stderr.write(String((error && error.stack) || error) + '\\n'); process.exit(1) }`

/** A probe's wall time from spawn to answer, and the CPU time its process used by then. */
export interface Timing {
  readonly wallMs: number
  /** NaN where Linux's per-thread scheduler statistics are not available. */
  readonly cpuMs: number
}

/**
 * CPU time of every thread of `pid` so far (Linux: nanoseconds on the CPU, per thread), which
 * other processes' load does not inflate the way it stretches wall time.
 */
const cpuMsOf = (pid: number | undefined): number => {
  try {
    let ns = 0
    for (const task of readdirSync(`/proc/${pid}/task`))
      ns += Number(readFileSync(`/proc/${pid}/task/${task}/schedstat`, 'utf8').split(' ')[0])
    return ns / 1e6
  } catch {
    return Number.NaN
  }
}

const stopped = (child: ReturnType<typeof spawn>) =>
  new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve()
    child.once('exit', () => resolve())
    child.kill('SIGKILL')
  })

/**
 * Milliseconds from spawning `node -e script` to the line the script writes once it holds its
 * answer, which must be a 200. The process's own exit is not timed: a client may keep sockets
 * open, and FC answers the caller before an instance ends anyway.
 */
export const timeScript = async (script: string, cwd: string, env: Record<string, string>) => {
  const start = performance.now()
  const child = spawn(process.execPath, ['-e', script], {
    cwd,
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  const errors: string[] = []
  try {
    return await new Promise<Timing>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('probe timed out')), PROBE_TIMEOUT_MS)
      createInterface({ input: child.stderr! }).on('line', (line) => {
        if (!line.startsWith(DONE)) return void errors.push(line)
        const at = performance.now()
        clearTimeout(timer)
        const status = line.slice(DONE.length)
        if (status === '200') resolve({ wallMs: at - start, cpuMs: cpuMsOf(child.pid) })
        else reject(new Error(`probe answered ${status}`))
      })
      child.once('exit', (code) => {
        clearTimeout(timer)
        reject(new Error(`probe exited with ${code}: ${errors.slice(-5).join(' | ')}`))
      })
    })
  } finally {
    await stopped(child)
  }
}

/**
 * Milliseconds from spawning `node server.js` to the answer of one HTTP vend, sent from here as
 * FC's front end would send it: as soon as the server logs that it listens.
 */
export const timeServer = async (options: {
  readonly cwd: string
  readonly env: Record<string, string>
  readonly port: number
  readonly path: string
  readonly headers: Record<string, string>
}) => {
  const start = performance.now()
  const child = spawn(process.execPath, ['server.js'], {
    cwd: options.cwd,
    env: { ...options.env, FC_CUSTOM_LISTEN_PORT: String(options.port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const errors: string[] = []
  createInterface({ input: child.stderr! }).on('line', (line) => void errors.push(line))
  try {
    return await new Promise<Timing>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('server probe timed out')), PROBE_TIMEOUT_MS)
      const lines = createInterface({ input: child.stdout! })
      lines.on('line', (line) => {
        if (!line.includes('"event":"listening"')) return
        const req = request(
          {
            host: '127.0.0.1',
            port: options.port,
            path: options.path,
            headers: options.headers,
            agent: false,
          },
          (res) => {
            res.resume()
            res.on('end', () => {
              const at = performance.now()
              clearTimeout(timer)
              if (res.statusCode === 200) resolve({ wallMs: at - start, cpuMs: cpuMsOf(child.pid) })
              else reject(new Error(`server answered ${res.statusCode}`))
            })
          },
        )
        req.on('error', reject)
        req.end()
      })
      child.once('exit', (code) => {
        clearTimeout(timer)
        reject(new Error(`server exited with ${code}: ${errors.slice(-5).join(' | ')}`))
      })
    })
  } finally {
    await stopped(child)
  }
}
