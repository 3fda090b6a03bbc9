import { assemble, type Assembly } from '../../lib/assemble.ts'
import { fcChain } from '../../lib/credentials/fc-chain.ts'
import type { ProviderInput } from '../../lib/credentials/provider.ts'
import { createNodeDeps, jsonLineLog } from '../node/platform/deps.ts'
import { createHttpFetch } from '../node/platform/http-fetch.ts'

/** An instance's credvend: the HTTP app, and the partner trust watch a timer trigger runs. @internal */
export type FcApp = Pick<Assembly, 'app' | 'credvend'>

/**
 * One app per FC instance, for both shapes (the built-in runtime's handler and the custom
 * runtime's server). Config comes from `CREDVEND_CONFIG` (a file in the code package) or
 * `CREDVEND_CONFIG_JSON`, secrets from the function's environment. Local mode does not exist
 * here. `input` is what the first invocation brought, used to read `{ kmsSecret }` references.
 */
const buildFcApp = async (env: NodeJS.ProcessEnv, input: ProviderInput): Promise<FcApp> => {
  if (env.CREDVEND_LOCAL) throw new Error('local mode is not available on Function Compute')
  const text =
    env.CREDVEND_CONFIG_JSON ??
    // Loaded here, not at the top: node:fs/promises costs a cold instance about 1.5 ms, and a
    // config given as CREDVEND_CONFIG_JSON never needs it.
    (env.CREDVEND_CONFIG
      ? await (await import('node:fs/promises')).readFile(env.CREDVEND_CONFIG, 'utf8')
      : undefined)
  if (!text) {
    throw new Error('set CREDVEND_CONFIG (a file in the code package) or CREDVEND_CONFIG_JSON')
  }
  // STS and KMS over node:http: with Node's global fetch, the first vend of every cold instance
  // would wait for undici's connection machinery and its WebAssembly parser (http-fetch.ts).
  const deps = createNodeDeps({ fetch: createHttpFetch() })
  const { app, credvend } = await assemble(
    {
      deps,
      log: jsonLineLog,
      sharePending: true,
      env,
      source: () => fcChain({ env, fetch: deps.fetch, now: deps.now }),
      loadInput: input,
      // Shared by every instance of the function. ioredis is a file of its own in the code
      // package (bundle-fc.ts): loaded only when the config has a redis section.
      connectShared: async (settings) =>
        (await import('../node/platform/connect-redis.ts')).connectRedis(
          settings,
          deps,
          jsonLineLog,
        ),
    },
    text,
  )
  return { app, credvend }
}

/**
 * Builds the instance's app on first use and keeps it; a failed build is forgotten, so the next
 * invocation tries again (a KMS or STS hiccup at start must not poison the instance).
 */
export const lazyFcApp = (env: NodeJS.ProcessEnv) => {
  let pending: Promise<FcApp> | undefined
  return {
    get: (input: ProviderInput): Promise<FcApp> =>
      (pending ??= buildFcApp(env, input).catch((error: unknown) => {
        pending = undefined
        throw error
      })),
    reset: () => {
      pending = undefined
    },
  }
}

/** The one line an operator sees when the config does not load; never a secret's value. */
export const logLoadFailure = (error: unknown) =>
  jsonLineLog({
    type: 'config',
    event: 'load-failed',
    problems: (error as { problems?: unknown }).problems ?? (error as Error).message,
  })

/** What a caller sees instead: nothing about the cause. */
export const misconfiguredBody = (requestId: string) =>
  JSON.stringify({
    Code: 'ERR_CONFIG_INVALID',
    Message: 'service misconfigured',
    RequestId: requestId,
  })
