import type { CredentialProvider } from '../provider.ts'
import { misconfigured, notConfigured } from '../provider-error.ts'

/** @public */
export const ENV_ACCESS_KEY_ID = 'ALIBABA_CLOUD_ACCESS_KEY_ID'
/** @public */
export const ENV_ACCESS_KEY_SECRET = 'ALIBABA_CLOUD_ACCESS_KEY_SECRET'
/** @public */
export const ENV_SECURITY_TOKEN = 'ALIBABA_CLOUD_SECURITY_TOKEN'

type Env = Readonly<Record<string, string | undefined>>

/**
 * credvend's identity from `ALIBABA_CLOUD_ACCESS_KEY_ID` / `_SECRET` / `_SECURITY_TOKEN` in an
 * explicit record (the process environment on Node, bindings on Workers). An id without a secret is broken,
 * not absent.
 * @public
 */
export const fromEnv =
  (env: Env): CredentialProvider =>
  async () => {
    const accessKeyId = env[ENV_ACCESS_KEY_ID]
    const accessKeySecret = env[ENV_ACCESS_KEY_SECRET]
    if (!accessKeyId) throw notConfigured('env', `${ENV_ACCESS_KEY_ID} is not set`)
    if (!accessKeySecret)
      throw misconfigured('env', `${ENV_ACCESS_KEY_ID} is set but ${ENV_ACCESS_KEY_SECRET} is not`)
    const securityToken = env[ENV_SECURITY_TOKEN]
    return {
      accessKeyId,
      accessKeySecret,
      ...(securityToken ? { securityToken } : {}),
      source: 'env',
    }
  }
