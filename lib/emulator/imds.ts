import { Hono } from 'hono/tiny'
import { formatTimestamp } from '../signing/timestamp.ts'
import { randomAlnum, type EmulatorDeps } from './emulator-deps.ts'
import type { RoleRecord, SessionRecord, World } from './world.ts'

/** @public */
export interface ImdsEmulatorOptions {
  /** The instance's RAM role, or none attached. */
  readonly role: RoleRecord | undefined
  /** IMDSv2-only ("hardened") mode: requests without a valid token are refused. */
  readonly requireToken?: boolean
  /** An old metadata service without the token endpoint (IMDSv1 only). */
  readonly noTokenEndpoint?: boolean
}

/**
 * The ECS metadata service (IMDS): `PUT /latest/api/token` with a TTL header (1–21,600 s) issues a
 * token; the role name and its credentials are served under
 * `/latest/meta-data/ram/security-credentials/`, minted by the world's STS and reissued well
 * before they expire. Refusals follow AWS-style IMDS semantics (401 for a missing or expired token
 * in v2-only mode, 400 for a bad TTL); these statuses are assumed.
 * @public
 */
export const createImdsEmulator = (
  world: World,
  deps: EmulatorDeps,
  options: ImdsEmulatorOptions,
) => {
  const tokens = new Map<string, number>()
  let session: SessionRecord | undefined
  const calls = { token: 0, credentials: 0 }
  const app = new Hono()

  app.put('/latest/api/token', (c) => {
    if (options.noTokenEndpoint) return c.text('not found', 404)
    const ttl = Number(c.req.header('x-aliyun-ecs-metadata-token-ttl-seconds'))
    if (!Number.isInteger(ttl) || ttl < 1 || ttl > 21_600) return c.text('invalid token TTL', 400)
    const token = randomAlnum(deps, 56)
    tokens.set(token, deps.now().getTime() + ttl * 1000)
    calls.token++
    return c.text(token)
  })

  app.use('/latest/meta-data/*', async (c, next) => {
    const token = c.req.header('x-aliyun-ecs-metadata-token')
    if (token !== undefined) {
      const expires = tokens.get(token)
      if (expires === undefined || expires <= deps.now().getTime())
        return c.text('invalid or expired token', 401)
    } else if (options.requireToken) {
      return c.text('a metadata token is required', 401)
    }
    await next()
  })

  app.get('/latest/meta-data/ram/security-credentials/', (c) =>
    options.role ? c.text(options.role.roleName) : c.text('not found', 404),
  )

  app.get('/latest/meta-data/ram/security-credentials/:role', (c) => {
    const role = options.role
    if (!role || c.req.param('role') !== role.roleName) return c.text('not found', 404)
    const now = deps.now().getTime()
    if (!session || session.expiresAt.getTime() - now < 30 * 60_000) {
      session = world.issueSession(role, {
        sessionName: `i-${randomAlnum(deps, 12).toLowerCase()}`,
        durationSeconds: 6 * 3600,
      })
    }
    calls.credentials++
    return c.json({
      Code: 'Success',
      AccessKeyId: session.accessKeyId,
      AccessKeySecret: session.accessKeySecret,
      SecurityToken: session.securityToken,
      Expiration: formatTimestamp(session.expiresAt),
      LastUpdated: formatTimestamp(new Date(now)),
    })
  })

  return { app, calls }
}
