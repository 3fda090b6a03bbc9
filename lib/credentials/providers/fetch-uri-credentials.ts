import { isAllowedCredentialsUrl } from '../check-url.ts'
import { credentialsReply } from '../credentials-reply.ts'
import { misconfigured, noAnswer } from '../provider-error.ts'
import type { Credentials } from '../types.ts'

/**
 * One GET of a credentials URI: HTTPS, or HTTP to loopback only; a timeout; no redirects; the
 * reply parsed with zod. `requireSuccess` also demands `"Code": "Success"`, as the aliyun CLI does
 * for its CredentialsURI mode (aliyun/aliyun-cli config/profile.go, `case CredentialsURI`). The
 * URI itself never reaches a message: its path may be the secret that guards it.
 * @internal
 */
export const fetchUriCredentials = async (
  source: string,
  raw: string,
  named: string,
  deps: { fetch: typeof fetch; timeoutMs?: number },
  options: { requireSuccess?: boolean } = {},
): Promise<Credentials> => {
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    throw misconfigured(source, `${named} is not a URL`)
  }
  if (!isAllowedCredentialsUrl(url))
    throw misconfigured(source, 'the URI must be HTTPS, or HTTP to loopback')
  let response: Response
  try {
    response = await deps.fetch(url, {
      redirect: 'manual',
      signal: AbortSignal.timeout(deps.timeoutMs ?? 5_000),
    })
  } catch (error) {
    throw misconfigured(
      source,
      `request failed (${error instanceof Error ? error.name : 'error'})`,
      noAnswer(error),
    )
  }
  if (response.status !== 200) throw misconfigured(source, `HTTP ${response.status}`)
  const body: unknown = await response.json().catch(() => undefined)
  const parsed = credentialsReply.safeParse(body)
  if (!parsed.success) throw misconfigured(source, 'the reply is not credentials JSON')
  if (options.requireSuccess && (body as { Code?: unknown }).Code !== 'Success')
    throw misconfigured(source, 'the reply has no "Code": "Success"')
  return { ...parsed.data, source }
}
