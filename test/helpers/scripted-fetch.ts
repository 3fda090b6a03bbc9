/** A fetch that answers from a script and records what it was asked; unmatched calls throw. */
export const scriptedFetch = (
  ...answers: Array<(request: Request) => Response | Promise<Response>>
) => {
  const requests: Request[] = []
  const fetchFn = (async (input: string | URL | Request, init?: RequestInit) => {
    const request = new Request(input, init)
    requests.push(request.clone())
    const answer = answers.shift()
    if (!answer) throw new Error(`No mock found for ${request.method} ${request.url}`)
    return answer(request)
  }) as typeof fetch
  return { fetch: fetchFn, requests }
}

export const jsonResponse = (body: unknown, status = 200, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json', ...headers },
  })

const FIXED_NOW = new Date('2026-11-22T10:00:00Z')
export const fixedDeps = (fetchFn: typeof fetch) => ({
  fetch: fetchFn,
  now: () => FIXED_NOW,
  randomId: () => '6a8f1e2c9b7d4e3fa1b2c3d4e5f60718',
})

export const assumeRoleBody = (overrides: Record<string, unknown> = {}) => ({
  RequestId: 'REQ-1',
  AssumedRoleUser: { AssumedRoleId: '300:alice', Arn: 'acs:ram::1234567890123456:role/r/alice' },
  Credentials: {
    AccessKeyId: 'STS.abc',
    AccessKeySecret: 'sts-secret',
    SecurityToken: 'CAIS-token',
    Expiration: '2026-11-22T11:00:00Z',
    ...overrides,
  },
})
