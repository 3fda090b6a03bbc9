import { createApp } from './app.ts'
import {
  envSecretResolver,
  loadConfig,
  parseConfig,
  type ParsedConfig,
  type RedisSettings,
} from './config/load.ts'
import type { CredentialProvider, ProviderInput } from './credentials/provider.ts'
import { createCredvend, type Credvend } from './credvend.ts'
import { VendError } from './errors.ts'
import { kmsSecretReader } from './config/kms-secret-reader.ts'
import type { LogSink } from './log.ts'
import { createCredvendMetrics } from './metrics/credvend-metrics.ts'
import { createNonceWindow } from './session/nonce-window.ts'
import { sharedNonces } from './store/shared-limits.ts'
import type { SharedState } from './store/shared-state.ts'
import { createStsClient, type StsClient } from './sts/client.ts'
import { createStsGovernor } from './store/sts-governor.ts'
import type { VendDeps } from './vend/vend-deps.ts'

/** Signed logins are refused twice within this window; it outlives reloads. */
const NONCE_WINDOW_MS = 2 * 900_000

/**
 * What a runtime hands to credvend: the network, clock and randomness, where its log lines go,
 * how it finds credvend's own identity, and the shared store if it has one.
 * @public
 */
export interface Runtime {
  readonly deps: VendDeps
  readonly log: LogSink
  /** False on Workers, which may not await another request's promise. */
  readonly sharePending: boolean
  /** Values of `{ env }` references: the process environment, or a Worker's bindings. */
  readonly env: Readonly<Record<string, string | undefined>>
  /**
   * credvend's own identity, given the instance's one STS client: provider refreshes (OIDC,
   * chained roles) then count against the same budget as vends.
   */
  readonly source: (sts: StsClient) => CredentialProvider
  /** What providers see while `{ kmsSecret }` references load (FC: the first invocation's context). */
  readonly loadInput?: ProviderInput
  /** Opens the store a `redis` section names; a runtime without it refuses such a config. */
  readonly connectShared?: (
    settings: RedisSettings,
  ) => Promise<{ readonly shared: SharedState; readonly close: () => void }>
}

/** A running credvend: the HTTP app, its state, and what a runtime does to it over its life. @public */
export interface Assembly {
  readonly app: ReturnType<typeof createApp>
  readonly credvend: Credvend
  /** Loads `text` completely and swaps it in; a bad file throws and the running generation stays. */
  reload(text: string): Promise<void>
  close(): void
}

/**
 * The one place credvend is put together: the STS governor and client, credvend's own identity,
 * the KMS reader for config references, the shared store, the services and the app — each built
 * once, from what the runtime provides. Every entry (Node, Function Compute, Workers) and every
 * test harness goes through here.
 * @example
 * const { app } = await assemble(runtime, await readFile(path, 'utf8'))
 * @public
 */
export const assemble = async (runtime: Runtime, text: string): Promise<Assembly> => {
  const { deps, log } = runtime
  const parsed = await parseConfig(text)
  const { config } = parsed
  const elapsedMs = deps.elapsedMs ?? (() => deps.now().getTime())
  const metrics = createCredvendMetrics()
  // Local until a shared store opens: the calls made while loading are paced too.
  const governor = createStsGovernor({
    ratePerSecond: config.sts.maxCallsPerSecond,
    now: deps.now,
    sleep: deps.sleep,
    elapsedMs,
    deadlineMs: config.upstream.deadlineMs,
    lanes: config.sts.lanes,
  })
  const sts = createStsClient(
    {
      endpoint: config.sts.endpoint,
      signature: config.sts.signature,
      timeoutMs: config.sts.timeoutMs,
      gate: governor.gate,
      observe: {
        elapsedMs,
        call: (action, outcome, seconds) => {
          metrics.stsCalls.inc({ action, outcome })
          metrics.stsSeconds.observe({ action }, seconds)
        },
      },
    },
    deps,
  )
  const source = runtime.source(sts)
  const resolveEnv = envSecretResolver(runtime.env)
  const kmsSecret = kmsSecretReader(source, deps, runtime.loadInput)
  const load = (configText: string | ParsedConfig) =>
    loadConfig(configText, resolveEnv, { kmsSecret })
  const loaded = await load(parsed)

  let shared: SharedState | undefined
  let closeShared = () => {}
  if (loaded.redis) {
    if (!runtime.connectShared) {
      throw new VendError(
        'ERR_CONFIG_INVALID',
        'redis is available on Node and Function Compute only; remove the redis section',
      )
    }
    const connected = await runtime.connectShared(loaded.redis)
    shared = connected.shared
    closeShared = connected.close
    governor.share(shared, loaded.redis.maxInstances)
  }
  const localNonces = createNonceWindow(NONCE_WINDOW_MS)
  const credvend = createCredvend({
    loaded,
    deps,
    log,
    metrics,
    sts,
    governor,
    source,
    sharePending: runtime.sharePending,
    nonces: shared ? sharedNonces(localNonces, shared, NONCE_WINDOW_MS) : localNonces,
    shared,
  })
  return {
    app: createApp(deps, credvend),
    credvend,
    async reload(configText) {
      credvend.reload(await load(configText))
    },
    close: () => closeShared(),
  }
}
