import type { ProviderInput } from '../../lib/credentials/provider.ts'

/**
 * What FC adds to every request it hands a custom runtime: the request id and the function
 * role's temporary keys
 * (https://www.alibabacloud.com/help/en/functioncompute/fc/context-and-log-format-1). Debian 11
 * and later custom runtimes no longer send the security token header; they set the
 * `ALIBABA_CLOUD_*` variables instead, which the provider chain reads after these.
 */
export const FC_HEADERS = {
  requestId: 'x-fc-request-id',
  accessKeyId: 'x-fc-access-key-id',
  accessKeySecret: 'x-fc-access-key-secret',
  securityToken: 'x-fc-security-token',
} as const

/** The keys FC handed with this request, read afresh each time: newer ones win at once. */
export const headerCredentials = (headers: Headers): ProviderInput => {
  const accessKeyId = headers.get(FC_HEADERS.accessKeyId)
  const accessKeySecret = headers.get(FC_HEADERS.accessKeySecret)
  if (!accessKeyId || !accessKeySecret) return {}
  const securityToken = headers.get(FC_HEADERS.securityToken)
  return {
    fcCredentials: {
      accessKeyId,
      accessKeySecret,
      ...(securityToken ? { securityToken } : {}),
      source: 'fc-headers',
    },
  }
}

/** Only FC's own headers are trusted, and only where FC set `FC_FUNCTION_NAME` for the process. */
export const runsOnFc = (env: NodeJS.ProcessEnv): boolean => Boolean(env.FC_FUNCTION_NAME)

/**
 * The port FC gives the custom runtime (`FC_CUSTOM_LISTEN_PORT`, the function's
 * `customRuntimeConfig.port`), or 9000, FC's default.
 */
export const listenPort = (env: NodeJS.ProcessEnv): number => {
  const value = Number(env.FC_CUSTOM_LISTEN_PORT ?? env.PORT ?? 9000)
  if (!Number.isInteger(value) || value < 1 || value > 65_535) {
    throw new Error(`not a port: ${String(env.FC_CUSTOM_LISTEN_PORT ?? env.PORT)}`)
  }
  return value
}
