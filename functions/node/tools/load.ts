/**
 * `npm run load`: a load test over real HTTP. By default it starts the server exactly as `npm start`
 * does (on an ephemeral port), mints JWTs for LOAD_CALLERS demo users, and sends LOAD_REQUESTS vends
 * over LOAD_CONNECTIONS keep-alive connections, rotating through every (caller, profile) pair. There is
 * no warm-up on purpose: each pair's first vends are cache misses arriving together, which is what
 * single flight and the cache (infra/OPERATIONS.md) have to absorb. It reports latency,
 * status codes, errors and the STS calls credvend made (the /metrics delta).
 *
 * CREDVEND_URL targets a running local-mode server instead; its partner API key is printed only in
 * its banner, so the partner profiles are included only when CREDVEND_API_KEY is given.
 * Exit code 1 if the server did not start or any 5xx, timeout or socket error occurred.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import autocannon from 'autocannon'

const positiveInt = (name: string, fallback: number): number => {
  const raw = process.env[name]
  if (raw === undefined || raw === '') return fallback
  const n = Number(raw)
  if (!Number.isInteger(n) || n < 1)
    throw new Error(`${name} must be a positive integer, got "${raw}"`)
  return n
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

// ---- the server under test -------------------------------------------------------------------

type Server = {
  url: string
  apiKey: string | undefined
  cache: Map<string, number>
  quiet: () => Promise<void>
  stop: () => Promise<void>
}

let child: ChildProcess | undefined
// However we leave (error, exit(), Ctrl-C), the spawned server must not outlive us.
process.on('exit', () => child?.kill('SIGKILL'))
process.once('SIGINT', () => process.exit(130))
process.once('SIGTERM', () => process.exit(143))

const spawnServer = (): Promise<Server> =>
  new Promise((resolve, reject) => {
    const root = fileURLToPath(new URL('../../../', import.meta.url))
    // `credvend serve --local` from the sources in one node process (tsx as a loader, not a wrapper
    // process), so killing `proc` kills the server.
    const proc = spawn(
      process.execPath,
      ['--import', 'tsx', 'functions/node/cli/cli.ts', 'serve', '--local'],
      {
        cwd: root,
        env: { ...process.env, PORT: '0' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    )
    child = proc
    let url: string | undefined
    let apiKey: string | undefined
    let ready = false
    let lastLineAt = Date.now()
    const cache = new Map<string, number>()
    const stderrTail: string[] = []
    const fail = (why: string) => {
      clearTimeout(timer)
      proc.kill('SIGKILL')
      reject(
        new Error(`${why}${stderrTail.length ? `\nserver stderr:\n${stderrTail.join('\n')}` : ''}`),
      )
    }
    const timer = setTimeout(() => fail('the server printed no banner within 60 s'), 60_000)

    createInterface({ input: proc.stderr! }).on('line', (line) => {
      stderrTail.push(line)
      if (stderrTail.length > 20) stderrTail.shift()
      process.stderr.write(`[server] ${line}\n`)
    })
    // stdout must be read to the end anyway: the server writes one audit line per vend and a pipe
    // nobody drains would stall it. The audit lines also tell cache hits from misses.
    createInterface({ input: proc.stdout! }).on('line', (line) => {
      lastLineAt = Date.now()
      if (ready) {
        if (!line.startsWith('{')) return
        try {
          const entry = JSON.parse(line) as { type?: unknown; cache?: unknown }
          if (entry.type === 'audit' && typeof entry.cache === 'string')
            cache.set(entry.cache, (cache.get(entry.cache) ?? 0) + 1)
        } catch {
          /* not an audit line */
        }
        return
      }
      url ??= /credvend app\s+(http:\/\/\S+)/.exec(line)?.[1]
      apiKey ??= /Bearer (cvk_[\w-]+)/.exec(line)?.[1]
      // The banner ends with a rule after the URL; the key, if printed, comes before it.
      if (url && (apiKey || /^={20,}$/.test(line))) {
        ready = true
        clearTimeout(timer)
        resolve({
          url,
          apiKey,
          cache,
          // Responses can arrive before we have read their audit lines: wait until stdout goes quiet.
          quiet: async () => {
            const start = Date.now()
            while (Date.now() - lastLineAt < 300 && Date.now() - start < 5_000) await sleep(50)
          },
          stop: async () => {
            if (proc.exitCode !== null || proc.signalCode !== null) return
            const exited = new Promise((done) => proc.once('exit', done))
            proc.kill('SIGTERM')
            // A graceful stop waits for open connections; past 5 s, stop waiting.
            const killer = setTimeout(() => proc.kill('SIGKILL'), 5_000)
            await exited
            clearTimeout(killer)
          },
        })
      }
    })
    proc.once('error', (error) => fail(`could not start the server: ${error.message}`))
    proc.once('exit', (code, signal) => {
      if (!ready) fail(`the server exited before its banner (${signal ?? `code ${code}`})`)
    })
  })

// ---- callers and requests --------------------------------------------------------------------

/** Demo user names are 1-16 lowercase letters: "user" + the index in base 26 ("useraa", "userab", …). */
const userNames = (count: number): string[] => {
  const width = Math.max(1, Math.ceil(Math.log(count) / Math.log(26)))
  return Array.from({ length: count }, (_, i) => {
    let s = ''
    for (let k = 0, n = i; k < width; k++, n = Math.floor(n / 26))
      s = String.fromCharCode(97 + (n % 26)) + s
    return `user${s}`
  })
}

const login = async (base: string, user: string): Promise<string> => {
  const res = await fetch(`${base}/demo/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ user }),
  })
  const body = (await res.json().catch(() => ({}))) as { token?: unknown }
  if (!res.ok || typeof body.token !== 'string')
    throw new Error(`POST /demo/login as ${user}: HTTP ${res.status} (is it a local-mode server?)`)
  return body.token
}

type Target = {
  profile: string
  method: 'GET' | 'POST'
  path: string
  headers: Record<string, string>
  body?: string
}

const targetsFor = (tokens: readonly string[], apiKey: string | undefined): Target[] => {
  const targets: Target[] = []
  for (const token of tokens) {
    const auth = `Bearer ${token}`
    targets.push({
      profile: 'demo-upload',
      method: 'POST',
      path: '/v1/credentials/demo-upload',
      headers: { Authorization: auth },
    })
    targets.push({
      profile: 'demo-form',
      method: 'POST',
      path: '/v1/credentials/demo-form',
      headers: { Authorization: auth, 'Content-Type': 'application/json' },
      body: '{"form":true}',
    })
  }
  if (apiKey) {
    for (const profile of ['demo-partner', 'demo-partner-chain']) {
      targets.push({
        profile,
        method: 'GET',
        path: `/v1/credentials/${profile}`,
        headers: { Authorization: `Bearer ${apiKey}` },
      })
    }
  }
  return targets
}

/**
 * Sums every sample of the metrics named credvend_sts_calls_total*, labelled or not. A labelled
 * counter has no samples until its first call, so a declared but empty metric counts as 0.
 * Returns why not when /metrics cannot tell.
 */
const stsCalls = async (base: string): Promise<number | string> => {
  const res = await fetch(`${base}/metrics`).catch((error: Error) => error)
  if (res instanceof Error) return `/metrics unreachable: ${res.message}`
  if (!res.ok) return `/metrics answered ${res.status}`
  const text = await res.text()
  let sum = /^# TYPE credvend_sts_calls_total\w* /m.test(text) ? 0 : undefined
  for (const line of text.split('\n')) {
    const value = /^credvend_sts_calls_total\w*(?:\{.*\})?\s+(\S+)/.exec(line)?.[1]
    if (value !== undefined) sum = (sum ?? 0) + Number(value)
  }
  return sum ?? 'no credvend_sts_calls_total in /metrics'
}

// ---- the run ---------------------------------------------------------------------------------

const main = async (): Promise<number> => {
  const requests = positiveInt('LOAD_REQUESTS', 10_000)
  const connections = positiveInt('LOAD_CONNECTIONS', 200)
  const callers = positiveInt('LOAD_CALLERS', 200)
  if (connections > requests) throw new Error('LOAD_CONNECTIONS cannot exceed LOAD_REQUESTS')

  const external = process.env.CREDVEND_URL?.replace(/\/+$/, '')
  const server = external ? undefined : await spawnServer()
  try {
    const base = external ?? server!.url
    const apiKey = external ? process.env.CREDVEND_API_KEY || undefined : server!.apiKey
    const tokens = await Promise.all(userNames(callers).map((user) => login(base, user)))
    const targets = targetsFor(tokens, apiKey)

    let next = 0
    const samples = new Map<number, string>() // one body per unexpected status, to say why
    const stsBefore = await stsCalls(base)
    const result = await new Promise<autocannon.Result>((resolve, reject) => {
      autocannon(
        {
          url: base,
          connections,
          amount: requests,
          timeout: 10,
          requests: [
            {
              // Called once per request: rotate through all (caller, profile) pairs by a shared counter.
              setupRequest: (req, context) => {
                const t = targets[next++ % targets.length]!
                ;(context as { profile?: string }).profile = t.profile
                return {
                  ...req,
                  method: t.method,
                  path: t.path,
                  headers: t.headers,
                  body: t.body ?? '',
                }
              },
              onResponse: (status, body, context) => {
                if (status >= 300 && status !== 429 && !samples.has(status)) {
                  samples.set(
                    status,
                    `${(context as { profile?: string }).profile}: ${body.slice(0, 200)}`,
                  )
                }
              },
            },
          ],
        },
        (error, res) => (error ? reject(error) : resolve(res)),
      )
    })
    await server?.quiet()
    const stsAfter = await stsCalls(base)

    const byStatus = new Map<number, number>()
    for (const [code, stat] of Object.entries(result.statusCodeStats ?? {}))
      byStatus.set(Number(code), stat.count ?? 0)
    const count = (pick: (code: number) => boolean) =>
      [...byStatus].filter(([c]) => pick(c)).reduce((n, [, k]) => n + k, 0)
    const ok = count((c) => c >= 200 && c < 300)
    const limited = byStatus.get(429) ?? 0
    const otherCodes = [...byStatus]
      .filter(([c]) => (c < 200 || c >= 300) && c !== 429)
      .sort(([a], [b]) => a - b)
    const other = otherCodes.reduce((n, [, k]) => n + k, 0)
    const fiveXx = count((c) => c >= 500)
    const socketErrors = result.errors - result.timeouts
    const completed = ok + limited + other
    const ms = (v: number) => `${Math.round(v * 10) / 10}`
    const cache = server
      ? [...server.cache]
          .sort()
          .map(([k, v]) => `${k} ${v}`)
          .join(', ') || 'no audit lines seen'
      : 'n/a (external server)'

    const rows: Array<[string, string]> = [
      ['target', `${base}${server ? ' (spawned, local mode)' : ''}`],
      [
        'callers',
        `${callers} JWT users${apiKey ? ' + partner API key' : ' (no API key: partner profiles skipped)'}`,
      ],
      ['(caller, profile) pairs', `${targets.length}`],
      ['requests', `${completed} completed of ${requests}, ${connections} connections`],
      ['duration', `${result.duration.toFixed(2)} s`],
      ['throughput', `${Math.round(completed / result.duration)} req/s`],
      [
        'latency p50 / p90 / p99 / max',
        `${ms(result.latency.p50)} / ${ms(result.latency.p90)} / ${ms(result.latency.p99)} / ${ms(result.latency.max)} ms`,
      ],
      ['2xx', `${ok}`],
      ['429 (rate limited, expected)', `${limited}`],
      [
        'other non-2xx (errors)',
        otherCodes.length ? otherCodes.map(([c, k]) => `${c}×${k}`).join(', ') : '0',
      ],
      ['timeouts / socket errors', `${result.timeouts} / ${socketErrors}`],
      [
        'STS calls (/metrics delta)',
        typeof stsBefore === 'number' && typeof stsAfter === 'number'
          ? `${stsAfter - stsBefore}`
          : `n/a (${typeof stsAfter === 'string' ? stsAfter : stsBefore})`,
      ],
      // A request that joined another's in-flight STS call is audited as a miss too.
      ['cache (audit lines; miss incl. joined flights)', cache],
    ]
    const width = Math.max(...rows.map(([k]) => k.length))
    console.log(`| ${'metric'.padEnd(width)} | value |`)
    console.log(`| ${'-'.repeat(width)} | ----- |`)
    for (const [k, v] of rows) console.log(`| ${k.padEnd(width)} | ${v} |`)
    for (const [status, body] of [...samples].sort(([a], [b]) => a - b))
      console.log(`\n${status} e.g. ${body}`)

    const failed = fiveXx > 0 || result.errors > 0
    if (failed)
      console.log(
        `\nFAILED: ${fiveXx} 5xx, ${result.timeouts} timeouts, ${socketErrors} socket errors`,
      )
    return failed ? 1 : 0
  } finally {
    await server?.stop()
  }
}

main().then(
  (code) => {
    process.exitCode = code
  },
  (error: unknown) => {
    console.error(`load: ${error instanceof Error ? error.message : String(error)}`)
    process.exitCode = 1
  },
)
