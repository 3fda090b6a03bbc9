/**
 * The official signers, loaded as oracles. They are CommonJS with `default` class exports, so
 * they are reached through createRequire rather than re-implemented or copied.
 */
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)

interface TeaRequest {
  method: string
  pathname: string
  query: Record<string, string>
  headers: Record<string, string>
}

interface OfficialUtil {
  getRPCSignature(params: Record<string, unknown>, method: string, secret: string): string
  getAuthorization(
    request: TeaRequest,
    algorithm: string,
    payload: string,
    accessKeyId: string,
    secret: string,
  ): string
}

/** `@alicloud/openapi-core`'s OpenApiUtil (what `@alicloud/sts20150401` 1.2 signs with). */
export const openapiCore: OfficialUtil = require('@alicloud/openapi-core').OpenApiUtil

/** `@alicloud/openapi-util` (the older darabonba util that tea clients signed with). */
export const openapiUtil: OfficialUtil = require('@alicloud/openapi-util').default
