import { assemble, type Assembly } from '../../lib/assemble.ts'
import { workersChain } from '../../lib/credentials/default-chains.ts'
import { VendError } from '../../lib/errors.ts'
import { randomHexId } from '../../lib/runtime/deps.ts'

/**
 * Worker bindings: the config JSON as a var or secret, every `{ env }` reference it makes as a
 * secret, and credvend's own identity — a RAM user key allowed only sts:AssumeRole on one hub
 * role, the one long-lived key of a Workers deployment (infra/DEPLOY.md, 'Workers').
 */
export interface WorkerEnv {
  readonly CREDVEND_CONFIG_JSON: string
  readonly CREDVEND_LOCAL?: string
  readonly [binding: string]: unknown
}

type App = Pick<Assembly, 'app' | 'credvend'>
let built: { source: string; app: App } | undefined

const strings = (env: WorkerEnv): Record<string, string> =>
  Object.fromEntries(
    Object.entries(env).filter((e): e is [string, string] => typeof e[1] === 'string'),
  )

/** Built once per isolate; rebuilt when the config binding changes (a new deployment). */
const appFor = async (env: WorkerEnv): Promise<App> => {
  if (built?.source === env.CREDVEND_CONFIG_JSON) return built.app
  if (env.CREDVEND_LOCAL)
    throw new VendError('ERR_CONFIG_INVALID', 'local mode is not available on Workers')
  const vars = strings(env)
  const deps = {
    fetch: (input: RequestInfo | URL, init?: RequestInit) => fetch(input, init),
    now: () => new Date(),
    randomId: randomHexId,
    sleep: (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)),
    random: Math.random,
    elapsedMs: () => performance.now(),
  }
  // Workers forbid awaiting a promise created by another request: no shared pending work. No
  // shared store either: ioredis needs TCP sockets, so a redis section is refused.
  const { app, credvend } = await assemble(
    {
      deps,
      log: (e) => console.log(JSON.stringify(e)),
      sharePending: false,
      env: vars,
      source: () => workersChain({ env: vars, fetch: deps.fetch, now: deps.now }),
    },
    env.CREDVEND_CONFIG_JSON,
  )
  built = { source: env.CREDVEND_CONFIG_JSON, app: { app, credvend } }
  return built.app
}

/** The one line an operator sees when the config does not load; never a secret's value. */
const logLoadFailure = (error: unknown) => {
  // The problems go to the operator's log (they name paths, never secret values); callers learn nothing.
  const problems = (error as { problems?: unknown }).problems
  console.log(
    JSON.stringify({
      type: 'config',
      event: 'load-failed',
      problems: Array.isArray(problems) ? problems : undefined,
    }),
  )
}

export default {
  async fetch(request: Request, env: WorkerEnv): Promise<Response> {
    let app: App
    try {
      app = await appFor(env)
    } catch (error) {
      logLoadFailure(error)
      return Response.json(
        { Code: 'ERR_CONFIG_INVALID', Message: 'service misconfigured', RequestId: '' },
        { status: 500 },
      )
    }
    // Cloudflare sets CF-Connecting-IP itself at its edge; a client cannot forge it on Workers.
    const sourceAddress = request.headers.get('cf-connecting-ip')
    return app.app.fetch(request, sourceAddress ? { sourceAddress } : {})
  },

  /**
   * A cron trigger (`[triggers] crons` in infra/wrangler.toml) runs the partner trust watch in the
   * isolate it lands on; the watch itself decides whether a run is due.
   */
  async scheduled(_controller: unknown, env: WorkerEnv): Promise<void> {
    let app: App
    try {
      app = await appFor(env)
    } catch (error) {
      logLoadFailure(error)
      return
    }
    await app.credvend.checkPartnerTrust()
  },
}
