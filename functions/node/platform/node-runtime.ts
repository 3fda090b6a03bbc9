import type { Runtime } from '../../../lib/assemble.ts'
import type { CredentialProvider, ProviderInput } from '../../../lib/credentials/provider.ts'
import type { StsClient } from '../../../lib/sts/client.ts'
import type { VendDeps } from '../../../lib/vend/vend-deps.ts'
import { createNodeDeps } from './deps.ts'
import { createHttpFetch } from './http-fetch.ts'
import { nodeSourceChain } from './source-chain.ts'
import { serverLineLog } from './stdout-log.ts'

/**
 * What a Node server hands to `assemble`: a keep-alive fetch over node:http (http-fetch.ts), JSON log lines on
 * stdout (one write per event-loop turn), the full provider chain for credvend's own identity
 * (unless a source is given, as in local mode), and Redis when the config has a `redis` section.
 */
export const nodeRuntime = (options: {
  readonly env: Readonly<Record<string, string | undefined>>
  readonly deps?: VendDeps
  readonly source?: (sts: StsClient) => CredentialProvider
  readonly loadInput?: ProviderInput
}): Runtime => {
  const deps = options.deps ?? createNodeDeps({ fetch: createHttpFetch() })
  return {
    deps,
    log: serverLineLog,
    sharePending: true,
    env: options.env,
    source: options.source ?? ((sts) => nodeSourceChain(options.env, deps, sts)),
    ...(options.loadInput ? { loadInput: options.loadInput } : {}),
    // Only a config with a redis section loads the Redis client.
    connectShared: async (settings) =>
      (await import('./connect-redis.ts')).connectRedis(settings, deps, serverLineLog),
  }
}
