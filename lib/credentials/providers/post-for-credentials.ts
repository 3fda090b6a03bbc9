import { isAllowedCredentialsUrl } from '../check-url.ts'
import { misconfigured, noAnswer } from '../provider-error.ts'

/**
 * POSTs a bearer token to a login service's exchange endpoint and returns the JSON it answers.
 * The token goes only over HTTPS (or HTTP to loopback); no redirects; a timeout. A 401 or 403
 * means the login is gone, so the message ends with how to log in again. Neither the token nor
 * the reply body ever reaches a message.
 * @internal
 */
export const postForCredentials = async (
  source: string,
  url: URL,
  token: string,
  body: string | undefined,
  deps: { fetch: typeof fetch; timeoutMs?: number },
  relogin: string,
): Promise<unknown> => {
  if (!isAllowedCredentialsUrl(url))
    throw misconfigured(source, `${url.origin} is not HTTPS (nor HTTP to loopback)`)
  let response: Response
  try {
    response = await deps.fetch(url, {
      method: 'POST',
      headers: {
        accept: 'application/json',
        'content-type': 'application/json',
        authorization: `Bearer ${token}`,
      },
      ...(body === undefined ? {} : { body }),
      redirect: 'manual',
      signal: AbortSignal.timeout(deps.timeoutMs ?? 10_000),
    })
  } catch (error) {
    throw misconfigured(
      source,
      `${url.origin} did not answer (${error instanceof Error ? error.name : 'error'})`,
      noAnswer(error),
    )
  }
  if (response.status === 401 || response.status === 403)
    throw misconfigured(
      source,
      `${url.origin} refused the access token (HTTP ${response.status}): ${relogin}`,
    )
  if (response.status !== 200)
    throw misconfigured(source, `${url.origin} answered HTTP ${response.status}`)
  return response.json().catch(() => undefined)
}
