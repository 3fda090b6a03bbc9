import { Agent, fetch as undiciFetch } from 'undici'

/**
 * fetch over an undici Agent with a sized keep-alive pool, for the long-running Node server: STS
 * and KMS are called again and again from one process, so reused TLS connections matter. Not used
 * on FC, where bundling undici would add ~520 KB to every cold start and Node's built-in fetch
 * (the same undici) already keeps connections alive.
 */
export const pooledFetch = (): typeof fetch => {
  const dispatcher = new Agent({ keepAliveTimeout: 30_000, connections: 64 })
  return ((input: string | URL, init?: RequestInit) =>
    undiciFetch(input, { ...(init as object), dispatcher })) as unknown as typeof fetch
}
