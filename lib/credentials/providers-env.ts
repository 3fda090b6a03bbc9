import { VendError } from '../errors.ts'
import type { CredentialProvider } from './provider.ts'

/** @public */
export const ENV_ACCESS_KEY_ID = 'ALIBABA_CLOUD_ACCESS_KEY_ID'
/** @public */
export const ENV_ACCESS_KEY_SECRET = 'ALIBABA_CLOUD_ACCESS_KEY_SECRET'
/** @public */
export const ENV_SECURITY_TOKEN = 'ALIBABA_CLOUD_SECURITY_TOKEN'

/**
 * credvend's own identity from `ALIBABA_CLOUD_ACCESS_KEY_ID` / `_SECRET` / `_SECURITY_TOKEN`
 * in an explicit record (process.env on Node, bindings on Workers). The full chain of Step 3
 * builds on this.
 * @public
 */
export const fromEnv =
  (env: Readonly<Record<string, string | undefined>>): CredentialProvider =>
  async () => {
    const accessKeyId = env[ENV_ACCESS_KEY_ID]
    const accessKeySecret = env[ENV_ACCESS_KEY_SECRET]
    if (!accessKeyId || !accessKeySecret) {
      throw new VendError('ERR_STS_SOURCE_CREDENTIALS', `${ENV_ACCESS_KEY_ID} and ${ENV_ACCESS_KEY_SECRET} are not set`)
    }
    const securityToken = env[ENV_SECURITY_TOKEN]
    return { accessKeyId, accessKeySecret, ...(securityToken ? { securityToken } : {}), source: 'env' }
  }
