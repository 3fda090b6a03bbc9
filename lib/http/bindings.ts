import type { ProviderInput } from '../credentials/provider.ts'
import type { RequestIdVariables } from './request-id.ts'

/**
 * What an entry may pass per request as Hono's `env` (`app.fetch(request, env)`): on Function
 * Compute, the invocation's `context.credentials` as provider input.
 * @public
 */
export interface AppEnv {
  readonly providerInput?: ProviderInput
  /**
   * The client's address as the runtime saw it (socket peer, FC `sourceIp`, Workers
   * `CF-Connecting-IP`), for the pre-authentication limit; never taken from a forwarded header.
   */
  readonly sourceAddress?: string
  /**
   * The platform's own id for this request (Function Compute's request id), so audit lines and
   * `X-Request-Id` match what the platform logs; only entries that read it from the platform set it.
   */
  readonly platformRequestId?: string
}

/** @internal */
export type AppBindings = { Bindings: AppEnv; Variables: RequestIdVariables }
