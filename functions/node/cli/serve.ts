import { assemble } from '../../../lib/assemble.ts'
import { envSecretResolver, loadConfig, parseConfig } from '../../../lib/config/load.ts'
import { fromStatic } from '../../../lib/credentials/provider.ts'
import { serverLineLog } from '../platform/stdout-log.ts'
import { nodeRuntime } from '../platform/node-runtime.ts'
import { startTrustTimer } from '../platform/trust-timer.ts'
import { createDemoConfig } from './local/demo-config.ts'
import { listenLoopback, listenOn, startLocalEmulator } from './local/local-emulator.ts'
import { localBanner, localConfigBanner } from './banner.ts'
import { demoRoutes } from './local/demo-routes.ts'
import { inOwnFile, localizeConfig } from './local/localize-config.ts'
import { seedLocalWorld } from './local/seed-local-world.ts'
import { readConfigText } from './config-file.ts'
import { defineCommand } from './command.ts'
import { UsageError } from './usage-error.ts'

/** Named once: the code, its messages and its --help must agree on them. */
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
  /** Local mode only: browser origins admitted besides the ones local mode or the config lists. */
  readonly allowOrigins?: readonly string[] | undefined
}

/** An exact origin, as CORS compares it: scheme, host and a port that is not the default. */
const exactOrigin = (value: string): string => {
  let url: URL | undefined
  try {
    url = new URL(value)
  } catch {
    url = undefined
  }
  if (!url || !['http:', 'https:'].includes(url.protocol) || url.origin !== value)
    throw new UsageError(
      `--allow-origin takes an exact origin such as http://localhost:5173 (no path, no trailing /), got "${value}"`,
    )
  return value
}

/**
 * Starts the server. Local mode is explicit: the emulator starts only with --local or
 * CREDVEND_LOCAL=1, never because a config or an endpoint is missing. In local mode only the
 * --config flag names a config (a CREDVEND_CONFIG meant for a deployment never turns `npm start`
 * into a run of it), and --allow-origin widens nothing outside local mode.
 */
export const startServer = async (
  options: ServeOptions,
  env: NodeJS.ProcessEnv,
): Promise<
  // Spelled out: an inferred union would fold the local results into the plainest one.
  | Awaited<ReturnType<typeof serveConfigured>>
  | Awaited<ReturnType<typeof serveLocalDemo>>
  | Awaited<ReturnType<typeof serveLocalConfig>>
> => {
  const local = options.local === true || env[ENV_LOCAL] === '1'
  const allowOrigins = [...new Set((options.allowOrigins ?? []).map(exactOrigin))]
  if (!local) {
    if (allowOrigins.length > 0)
      throw new UsageError(
        "--allow-origin is for local mode (--local) only: a deployed config lists its browser origins in each oss-upload profile's corsOrigins",
      )
    const path = options.config ?? env[ENV_CONFIG]
    if (!path) {
      throw new UsageError(
        `serve: no configuration. Pass --config FILE (or set ${ENV_CONFIG}), or run "credvend serve --local" ` +
          `(or ${ENV_LOCAL}=1) for the local emulator with a demo world.`,
      )
    }
    return serveConfigured(path, env)
  }
  if (options.config !== undefined) return serveLocalConfig(options.config, allowOrigins, env)
  return serveLocalDemo(allowOrigins, env)
}

/**
 * A taken port is the operator's to fix, not a crash: say which variable moves it. The usual cause
 * is a second `npm start` or `credvend serve` on the default port.
 */
const listening = async <T>(listen: Promise<T>, portValue: number): Promise<T> => {
  try {
    return await listen
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE')
      throw new UsageError(
        `serve: port ${portValue} is in use (another credvend or npm start?); set ${ENV_PORT} to another port, or ${ENV_PORT}=0 for any free one`,
      )
    throw error
  }
}

const startEmulator = (env: NodeJS.ProcessEnv) =>
  startLocalEmulator({ port: port(env[ENV_EMULATOR_PORT], 0, ENV_EMULATOR_PORT) })

/** `serve --local`: the demo config on the emulator's demo world, and the demo page. */
const serveLocalDemo = async (allowOrigins: readonly string[], env: NodeJS.ProcessEnv) => {
  const appPort = port(env[ENV_PORT], 8787, ENV_PORT)
  const emulator = await startEmulator(env)
  // The app's origins are known only once it listens; until the app is built, nothing answers.
  let handler: (req: Request, env: NodeEnv) => Response | Promise<Response> = () =>
    new Response('starting', { status: 503 })
  // Nothing started may outlive a failed start: the emulator would keep the process alive.
  const listener = await listening(
    listenLoopback((req, env) => handler(req, env), appPort),
    appPort,
  ).catch(async (error: unknown) => {
    await emulator.close()
    throw error
  })
  const own = [`http://127.0.0.1:${listener.port}`, `http://localhost:${listener.port}`]
  const origins = [...own, ...allowOrigins.filter((o) => !own.includes(o))]
  origins.forEach(emulator.allowOssOrigin)
  const demo = await createDemoConfig(emulator, origins)
  const source = fromStatic({ ...emulator.demo.vendor, source: 'local-demo-user' })
  const { app, credvend } = await assemble(
    nodeRuntime({ env: demo.env, source: () => source }),
    JSON.stringify(demo.config),
  )
  const stopTrustTimer = startTrustTimer(credvend, serverLineLog)
  const demoPage = demoRoutes(demo.signToken)
  handler = (req, env) =>
    /^\/demo(\/|$)/.test(new URL(req.url).pathname)
      ? demoPage.fetch(new Request(req.url.replace(/\/demo(?=\/|$)/, ''), req))
      : app.fetch(req, peer(env))
  const appUrl = `http://127.0.0.1:${listener.port}`
  console.log(localBanner({ appUrl, emulator, demo, origins }))
  return {
    appUrl,
    emulator,
    demo,
    credvend,
    close: async () => {
      stopTrustTimer()
      await listener.close()
      await emulator.close()
    },
  }
}

/**
 * `serve --local --config FILE`: the file's own profiles and callers on the emulator. The file is
 * parsed before anything starts; its Alibaba endpoints are pointed at the emulator and the world
 * is given the roles, buckets and KMS secrets the config expects (localizeConfig, seedLocalWorld);
 * `{ env }` secrets resolve from the environment as in a deployment. credvend's own identity is the
 * emulator's credvend user. A config that does not load stops everything it started.
 */
const serveLocalConfig = async (
  path: string,
  allowOrigins: readonly string[],
  env: NodeJS.ProcessEnv,
) => {
  const parsed = await parseConfig(await readConfigText(path))
  const emulator = await startEmulator(env)
  try {
    const { text, changes } = await localizeConfig(parsed, {
      endpoints: emulator.endpoints,
      vendorArn: emulator.demo.vendorArn,
      allowOrigins,
    })
    const loaded = await loadConfig(text, envSecretResolver(env)).catch(async (error: unknown) => {
      throw await inOwnFile(parsed.text, error)
    })
    const created = await seedLocalWorld(emulator, loaded, parsed.text)
    const source = fromStatic({ ...emulator.demo.vendor, source: 'local-credvend-user' })
    const { app, credvend } = await assemble(nodeRuntime({ env, source: () => source }), text)
    const appPort = port(env[ENV_PORT], 8787, ENV_PORT)
    const listener = await listening(
      listenLoopback((req, env) => app.fetch(req, peer(env)), appPort),
      appPort,
    )
    const stopTrustTimer = startTrustTimer(credvend, serverLineLog)
    const appUrl = `http://127.0.0.1:${listener.port}`
    const served = loaded.config.exposeInternalRoutes
    const profiles = [
      ...loaded.profiles.keys(),
      ...[...loaded.accessKeyProfiles.keys()].map((name) =>
        served ? name : `${name} (not served: exposeInternalRoutes is off)`,
      ),
    ]
    console.log(
      localConfigBanner({
        appUrl,
        emulator,
        path,
        profiles,
        changes,
        created,
        origins: allowOrigins,
        secretName: [...loaded.accessKeyProfiles.values()][0]?.secretName,
      }),
    )
    return {
      appUrl,
      emulator,
      credvend,
      close: async () => {
        stopTrustTimer()
        await listener.close()
        await emulator.close()
      },
    }
  } catch (error) {
    await emulator.close()
    throw error
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
  const appPort = port(env[ENV_PORT], 8787, ENV_PORT)
  const listener = await listening(
    listenOn((req, env) => app.fetch(req, peer(env)), host, appPort),
    appPort,
  )
  const reload = () =>
    void readConfigText(path)
      .then((text) => assembly.reload(text))
      .catch((error: Error) =>
        serverLineLog({ type: 'config', event: 'reload-refused', problems: error.message }),
      )
  process.on('SIGHUP', reload)
  const stopTrustTimer = startTrustTimer(credvend, serverLineLog)
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
      stopTrustTimer()
      await listener.close()
      assembly.close()
    },
  }
}

export const serveCommand = defineCommand({
  name: 'serve',
  summary: 'run the HTTP server (--local: on the embedded Alibaba emulator)',
  usage: 'serve [--local] [--config FILE] [--allow-origin ORIGIN]...',
  help: `Runs the credvend HTTP server until SIGINT or SIGTERM. With a config it serves that config
against Alibaba Cloud with credvend's own identity from the provider chain, and SIGHUP reloads the
file (a bad file is logged and the running generation stays).

With --local it starts the embedded Alibaba emulator (STS, OSS, KMS) on loopback and prints every
endpoint, keys minted at this start and ready-to-paste calls. Nothing reaches Alibaba Cloud.
  serve --local                 the demo world and the demo config: a JWT login, OSS upload
                                profiles, a partner profile with an ExternalId, an access-key
                                profile on a KMS-rotated secret, and the demo page at /demo/
  serve --local --config FILE   your config on the emulator instead of the demo's. Its STS and
                                KMS endpoints and every oss-upload endpoint point at the emulator;
                                sourcePrincipal becomes the emulator's credvend user; a redis
                                section is left out. The emulator is given every role a profile
                                assumes (trusting the link before it, the local credvend user
                                first, with the config's ExternalIds, permitted the profile's
                                permission ceiling), every oss-upload bucket, and each access-key
                                profile's KMS secret (a rotating RAMCredentials secret of a new
                                RAM user); the banner lists all of it. { "env": NAME } secrets
                                come from the environment as in a deployment; { "kmsSecret": … }
                                references are refused (the emulator's KMS has no value for them);
                                JWT issuers, a jwksUri included, are used as written.
                                A config that does not load exits 1 with its problems.

options:
  --local               the embedded emulator (or CREDVEND_LOCAL=1)
  --config FILE         the config to serve (or CREDVEND_CONFIG, outside local mode only)
  --allow-origin ORIGIN local mode only, repeatable: a browser origin (an exact origin such as
                        http://localhost:5173) allowed to call the upload profiles and to upload
                        to their buckets, added to the app's CORS and the OSS emulator's. With
                        the demo, it joins the app's own origins; with --config, it joins each
                        oss-upload profile's own corsOrigins. Without --local it is refused: a
                        deployment's origins are in its config, nowhere else.
`,
  options: {
    local: { type: 'boolean' },
    config: { type: 'string' },
    'allow-origin': { type: 'string', multiple: true },
  },
  positionals: [0, 0],
  env: {
    [ENV_CONFIG]: 'the config, when --config is not given (not read in local mode)',
    [ENV_LOCAL]: '1 for local mode',
    [ENV_PORT]: 'the port to listen on (default 8787)',
    HOST: 'the address to listen on, configured mode (default 127.0.0.1; local mode: 127.0.0.1 only)',
    [ENV_EMULATOR_PORT]: "local mode: the STS emulator's port (default: any free port)",
    'ALIBABA_CLOUD_*': "configured mode: credvend's own identity, through the provider chain",
    'any {"env": NAME}': "each secret reference the config names (the demo's are minted)",
  },
  async run({ values, env }) {
    const running = await startServer(
      { local: values.local, config: values.config, allowOrigins: values['allow-origin'] },
      env,
    )
    const stop = () => void running.close().then(() => process.exit(0))
    process.once('SIGINT', stop)
    process.once('SIGTERM', stop)
    return new Promise<never>(() => {})
  },
})
