import { readFile } from 'node:fs/promises'
import { assemble, type Assembly } from '../../lib/assemble.ts'
import type { ProviderInput } from '../../lib/credentials/provider.ts'
import { createNodeDeps, jsonLineLog } from '../node/platform/deps.ts'
import { nodeSourceChain } from '../node/platform/source-chain.ts'
import { eventToRequest, parseEvent, responseToResult, type Fc3HttpResponse } from './fc3-event.ts'

/**
 * FC's context, as far as credvend reads it
 * (https://help.aliyun.com/en/functioncompute/context-1-1).
 */
export interface FcContext {
  readonly requestId?: string
  readonly credentials?: {
    readonly accessKeyId: string
    readonly accessKeySecret: string
    readonly securityToken?: string
  }
}

type App = Assembly['app']
let appPromise: Promise<App> | undefined

/**
 * One app per instance (instanceConcurrency > 1 lets many requests share its caches). Config comes
 * from `CREDVEND_CONFIG` (a file in the code package) or `CREDVEND_CONFIG_JSON`, secrets from the
 * function's environment. Local mode does not exist here.
 */
const buildApp = async (env: NodeJS.ProcessEnv, input: ProviderInput): Promise<App> => {
  if (env.CREDVEND_LOCAL) throw new Error('local mode is not available on Function Compute')
  const text =
    env.CREDVEND_CONFIG_JSON ??
    (env.CREDVEND_CONFIG ? await readFile(env.CREDVEND_CONFIG, 'utf8') : undefined)
  if (!text)
    throw new Error('set CREDVEND_CONFIG (a file in the code package) or CREDVEND_CONFIG_JSON')
  const deps = createNodeDeps()
  const { app } = await assemble(
    {
      deps,
      log: jsonLineLog,
      sharePending: true,
      env,
      source: (sts) => nodeSourceChain(env, deps, sts),
      // `{ kmsSecret }` references are read with the first invocation's context.credentials.
      loadInput: input,
      // Shared by every instance of the function; a reload of config means a new instance here.
      // ioredis is a file of its own in the code package (bundle-fc.ts): loaded only when configured.
      connectShared: async (settings) =>
        (await import('../node/platform/connect-redis.ts')).connectRedis(
          settings,
          deps,
          jsonLineLog,
        ),
    },
    text,
  )
  return app
}

/** Read per invocation, never cached across invocations: FC supplies them afresh each time. */
const providerInput = (context: FcContext | undefined): ProviderInput =>
  context?.credentials ? { fcCredentials: { ...context.credentials, source: 'fc-context' } } : {}

/** The FC 3.0 handler: `index.handler` in s.yaml. */
export const handler = async (event: unknown, context?: FcContext): Promise<Fc3HttpResponse> => {
  appPromise ??= buildApp(process.env, providerInput(context)).catch((error: unknown) => {
    appPromise = undefined
    throw error
  })
  let app: App
  try {
    app = await appPromise
  } catch (error) {
    jsonLineLog({
      type: 'config',
      event: 'load-failed',
      problems: (error as { problems?: unknown }).problems ?? (error as Error).message,
    })
    return {
      statusCode: 500,
      headers: { 'content-type': 'application/json' },
      isBase64Encoded: false,
      body: JSON.stringify({
        Code: 'ERR_CONFIG_INVALID',
        Message: 'service misconfigured',
        RequestId: context?.requestId ?? '',
      }),
    }
  }
  const parsed = parseEvent(event)
  const sourceAddress = parsed.requestContext.http.sourceIp
  return responseToResult(
    await app.fetch(eventToRequest(parsed), {
      providerInput: providerInput(context),
      ...(sourceAddress ? { sourceAddress } : {}),
    }),
  )
}

/** Tests only: forget the instance's app so the next invocation builds it from the current env. */
export const resetForTests = () => {
  appPromise = undefined
}
