import { assemble } from '../../../lib/assemble.ts'
import { fromStatic } from '../../../lib/credentials/provider.ts'
import { serverLineLog } from '../platform/stdout-log.ts'
import { nodeRuntime } from '../platform/node-runtime.ts'
import { createDemoConfig } from './local/demo-config.ts'
import { listenLoopback, listenOn, startLocalEmulator } from './local/local-emulator.ts'
import { localBanner } from './banner.ts'
import { demoRoutes } from './local/demo-routes.ts'
import { readConfigText } from './commands/config-check.ts'
import { defineCommand } from './command.ts'
import { UsageError } from './usage-error.ts'

/** Env names the serve command reads. */
const ENV_LOCAL = 'CREDVEND_LOCAL'
const ENV_CONFIG = 'CREDVEND_CONFIG'
const ENV_PORT = 'PORT'
const ENV_EMULATOR_PORT = 'CREDVEND_EMULATOR_PORT'

type NodeEnv = { incoming: { socket?: { remoteAddress?: string | undefined } } }
/** The socket's peer only: a forwarded header is the client's word, not the network's. */
const peer = (env: NodeEnv) => {
  const sourceAddress = env.incoming.socket?.remoteAddress
  return sourceAddress ? { sourceAddress } : {}
}

const port = (value: string | undefined, fallback: number, name: string): number => {
  if (value === undefined || value === '') return fallback
  const n = Number(value)
  if (!Number.isInteger(n) || n < 0 || n > 65_535)
    throw new UsageError(`${name} must be a port number, got "${value}"`)
  return n
}

/** What `serve` was asked for: its flags, the environment filling in what they leave out. */
export interface ServeOptions {
  readonly local?: boolean | undefined
  readonly config?: string | undefined
}

/**
 * Starts the server. Local mode is explicit: the emulator starts only with --local or
 * CREDVEND_LOCAL=1, never because a config or an endpoint is missing.
 */
export const startServer = async (options: ServeOptions, env: NodeJS.ProcessEnv) => {
  const local = options.local === true || env[ENV_LOCAL] === '1'
  if (!local) {
    const path = options.config ?? env[ENV_CONFIG]
    if (!path) {
      throw new UsageError(
        `serve: no configuration. Pass --config FILE (or set ${ENV_CONFIG}), or run "credvend serve --local" ` +
          `(or ${ENV_LOCAL}=1) for the local emulator with a demo world.`,
      )
    }
    return serveConfigured(path, env)
  }
  const emulator = await startLocalEmulator({
    port: port(env[ENV_EMULATOR_PORT], 0, ENV_EMULATOR_PORT),
  })
  // The app's origins are known only once it listens; until the app is built, nothing answers.
  let handler: (req: Request, env: NodeEnv) => Response | Promise<Response> = () =>
    new Response('starting', { status: 503 })
  const listener = await listenLoopback(
    (req, env) => handler(req, env),
    port(env[ENV_PORT], 8787, ENV_PORT),
  )
  const origins = [`http://127.0.0.1:${listener.port}`, `http://localhost:${listener.port}`]
  origins.forEach(emulator.allowOssOrigin)
  const demo = await createDemoConfig(emulator, origins)
  const source = fromStatic({ ...emulator.demo.vendor, source: 'local-demo-user' })
  const { app, credvend } = await assemble(
    nodeRuntime({ env: demo.env, source: () => source }),
    JSON.stringify(demo.config),
  )
  const demoPage = demoRoutes(demo.signToken)
  handler = (req, env) =>
    /^\/demo(\/|$)/.test(new URL(req.url).pathname)
      ? demoPage.fetch(new Request(req.url.replace(/\/demo(?=\/|$)/, ''), req))
      : app.fetch(req, peer(env))
  const appUrl = `http://127.0.0.1:${listener.port}`
  console.log(localBanner({ appUrl, emulator, demo }))
  return {
    appUrl,
    emulator,
    demo,
    credvend,
    close: async () => {
      await listener.close()
      await emulator.close()
    },
  }
}

/**
 * The production Node server: config from CREDVEND_CONFIG with secrets from the environment,
 * credvend's own identity from the full provider chain, SIGHUP reloads the file atomically (a bad
 * file is logged and the running generation stays).
 */
const serveConfigured = async (path: string, env: NodeJS.ProcessEnv) => {
  const assembly = await assemble(nodeRuntime({ env }), await readConfigText(path))
  const { app, credvend } = assembly
  const host = env.HOST ?? '127.0.0.1'
  const listener = await listenOn(
    (req, env) => app.fetch(req, peer(env)),
    host,
    port(env[ENV_PORT], 8787, ENV_PORT),
  )
  const reload = () =>
    void readConfigText(path)
      .then((text) => assembly.reload(text))
      .catch((error: Error) =>
        serverLineLog({ type: 'config', event: 'reload-refused', problems: error.message }),
      )
  process.on('SIGHUP', reload)
  const appUrl = `http://${host}:${listener.port}`
  serverLineLog({
    type: 'server',
    event: 'listening',
    url: appUrl,
    generation: credvend.generation,
  })
  return {
    appUrl,
    close: async () => {
      await listener.close()
      assembly.close()
    },
  }
}

export const serveCommand = defineCommand({
  name: 'serve',
  summary: 'run the HTTP server (--local: on the embedded Alibaba emulator)',
  usage: 'serve [--local] [--config FILE]',
  help: `Runs the credvend HTTP server until SIGINT or SIGTERM. With a config it serves that config
against Alibaba Cloud with credvend's own identity from the provider chain, and SIGHUP reloads the
file (a bad file is logged and the running generation stays). With --local it starts the embedded
Alibaba emulator with a demo world and prints how to call it.

options:
  --local               the embedded emulator and a demo world (or CREDVEND_LOCAL=1)
  --config FILE         the config to serve (or CREDVEND_CONFIG)
`,
  options: { local: { type: 'boolean' }, config: { type: 'string' } },
  positionals: [0, 0],
  env: {
    [ENV_CONFIG]: 'the config, when --config is not given',
    [ENV_LOCAL]: '1 for local mode',
    [ENV_PORT]: 'the port to listen on (default 8787)',
    HOST: 'the address to listen on, configured mode (default 127.0.0.1)',
    [ENV_EMULATOR_PORT]: "local mode: the emulator's port (default: any free port)",
    'ALIBABA_CLOUD_*': "configured mode: credvend's own identity, through the provider chain",
  },
  async run({ values, env }) {
    const running = await startServer(values, env)
    const stop = () => void running.close().then(() => process.exit(0))
    process.once('SIGINT', stop)
    process.once('SIGTERM', stop)
    return new Promise<never>(() => {})
  },
})
