import { isAllowedCredentialsUrl } from '../check-url.ts'
import { credentialsReply } from '../credentials-reply.ts'
import type { CredentialProvider } from '../provider.ts'
import { misconfigured, notConfigured } from '../provider-error.ts'

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
    let url: URL
    try {
      url = new URL(raw)
    } catch {
      throw misconfigured('credentials-uri', `${ENV_CREDENTIALS_URI} is not a URL`)
    }
    if (!isAllowedCredentialsUrl(url))
      throw misconfigured('credentials-uri', 'the URI must be HTTPS, or HTTP to loopback')
    let response: Response
    try {
      response = await deps.fetch(url, {
        redirect: 'manual',
        signal: AbortSignal.timeout(deps.timeoutMs ?? 5_000),
      })
    } catch (error) {
      throw misconfigured(
        'credentials-uri',
        `request failed (${error instanceof Error ? error.name : 'error'})`,
      )
    }
    if (response.status !== 200) throw misconfigured('credentials-uri', `HTTP ${response.status}`)
    const parsed = credentialsReply.safeParse(await response.json().catch(() => undefined))
    if (!parsed.success) throw misconfigured('credentials-uri', 'the reply is not credentials JSON')
    return { ...parsed.data, source: 'credentials-uri' }
  }
