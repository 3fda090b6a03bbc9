import { Hono } from 'hono/tiny'
import { formatTimestamp } from '../signing/timestamp.ts'
import type { AgentCredentials } from './agent-credentials.ts'

const refuse = (status: 403 | 404 | 405, text: string) =>
  new Response(`${text}\n`, {
    status,
    headers: { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' },
  })

/**
 * The agent's loopback endpoint, in the credentials-URI format the official SDKs
 * read with a bare GET. That GET carries no authentication, so everything else is refused:
 * any method but GET, any Host but the exact loopback address and port it listens on (no DNS
 * rebinding through `127.0.0.1.nip.io` or `evil.example`), any request with `Origin` or `Referer`
 * (a browser, however it got here), and any path but the unguessable per-start one.
 * @public
 */
export const createAgentApp = (init: {
  /** The exact `Host` values accepted, e.g. `127.0.0.1:41234` (known once listening). */
  readonly hosts: () => readonly string[]
  /** `/<secret>/<profile>` → that profile's credentials. */
  readonly routes: ReadonlyMap<string, AgentCredentials>
}) => {
  const app = new Hono()
  app.all('*', async (c) => {
    if (c.req.header('origin') !== undefined || c.req.header('referer') !== undefined)
      return refuse(403, 'browsers are not served')
    if (!init.hosts().includes(c.req.header('host') ?? '')) return refuse(403, 'wrong Host')
    if (c.req.method !== 'GET') return refuse(405, 'GET only')
    const credentials = init.routes.get(new URL(c.req.url).pathname)
    if (!credentials) return refuse(404, 'not found')
    try {
      const held = await credentials.get()
      if (held.securityToken === undefined)
        return refuse(404, 'not an STS profile: use credvend exec or process')
      return c.json(
        {
          Code: 'Success',
          AccessKeyId: held.accessKeyId,
          AccessKeySecret: held.accessKeySecret,
          SecurityToken: held.securityToken,
          Expiration: formatTimestamp(held.expiration),
        },
        200,
        { 'Cache-Control': 'no-store' },
      )
    } catch {
      // The SDK only needs to know there is nothing to serve; the reason goes to the agent's log.
      return c.json({ Code: 'Unavailable', Message: 'no valid credentials' }, 503, {
        'Cache-Control': 'no-store',
      })
    }
  })
  return app
}
