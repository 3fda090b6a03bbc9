import type { CredentialProvider } from '../provider.ts'
import { notConfigured } from '../provider-error.ts'
import { fetchUriCredentials } from './fetch-uri-credentials.ts'

/** @public */
export const ENV_CREDENTIALS_URI = 'ALIBABA_CLOUD_CREDENTIALS_URI'

/**
 * `ALIBABA_CLOUD_CREDENTIALS_URI`: a GET returning the credentials-URI JSON. HTTPS, or HTTP to
 * loopback only; a timeout; no redirects; the reply parsed with zod.
 * @public
 */
export const fromCredentialsUri =
  (deps: {
    env: Readonly<Record<string, string | undefined>>
    fetch: typeof fetch
    timeoutMs?: number
  }): CredentialProvider =>
  async () => {
    const raw = deps.env[ENV_CREDENTIALS_URI]
    if (!raw) throw notConfigured('credentials-uri', `${ENV_CREDENTIALS_URI} is not set`)
    return fetchUriCredentials('credentials-uri', raw, ENV_CREDENTIALS_URI, deps)
  }
