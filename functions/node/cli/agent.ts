import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { createAgentApp } from '../../../lib/agent/agent-app.ts'
import {
  createAgentCredentials,
  type AgentCredentials,
} from '../../../lib/agent/agent-credentials.ts'
import { createCredvendClient } from '../../../lib/agent/credvend-client.ts'
import { isVendError, VendError } from '../../../lib/errors.ts'
import { listenLoopback } from './local/local-emulator.ts'

/**
 * Starts an agent in this process: one credentials store per profile, served on 127.0.0.1 (never
 * `::` or `0.0.0.0`) at `/<256-bit secret>/<profile>`. Each profile is fetched once before the
 * URIs are handed out, so a profile the agent cannot serve (an access-key profile, one that
 * refuses the duration) fails the start, not the first SDK call.
 */
export const startAgent = async (init: {
  readonly url: string
  readonly profiles: readonly string[]
  readonly bearer: () => Promise<string>
  readonly port?: number
  /** Asked of credvend on every vend: a lifetime the profiles allow on request. */
  readonly durationSeconds?: number | undefined
  readonly now?: () => Date
  readonly fetch?: typeof fetch
}) => {
  const now = init.now ?? (() => new Date())
  const secret = randomBytes(32).toString('base64url')
  const routes = new Map<string, AgentCredentials>()
  const stores = new Map<string, AgentCredentials>()
  for (const profile of init.profiles) {
    const client = createCredvendClient({
      url: init.url,
      profile,
      bearer: init.bearer,
      fetch: init.fetch ?? fetch,
      now,
    })
    const store = createAgentCredentials({
      client,
      now,
      random: Math.random,
      durationSeconds: init.durationSeconds,
    })
    await store.start().catch((error: unknown) => {
      // With several profiles, say which one could not be served.
      throw isVendError(error)
        ? new VendError(error.code, `profile ${profile}: ${error.message}`, {
            retryable: error.retryable,
          })
        : error
    })
    routes.set(`/${secret}/${profile}`, store)
    stores.set(profile, store)
  }
  let hosts: string[] = []
  const app = createAgentApp({ hosts: () => hosts, routes })
  const listener = await listenLoopback(app.fetch, init.port ?? 0)
  hosts = [`127.0.0.1:${listener.port}`, `localhost:${listener.port}`]
  const uris = new Map(
    init.profiles.map((p) => [p, `http://127.0.0.1:${listener.port}/${secret}/${p}`]),
  )
  return { uris, port: listener.port, stores, close: listener.close }
}

/** Human accounts on this host (uid ≥ 1000 with a login shell): more than one means others can reach loopback. */
export const humanAccounts = (
  passwd = (() => {
    try {
      return readFileSync('/etc/passwd', 'utf8')
    } catch {
      return ''
    }
  })(),
): string[] =>
  passwd
    .split('\n')
    .map((l) => l.split(':'))
    .filter(
      (f) =>
        f.length >= 7 &&
        Number(f[2]) >= 1000 &&
        Number(f[2]) < 65534 &&
        !/(nologin|false)$/.test(f[6]!),
    )
    .map((f) => f[0]!)
