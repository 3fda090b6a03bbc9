/** What one unsigned request to an endpoint learned: whether it answered, and its `Date`. */
export type Probe =
  | {
      readonly reachable: true
      readonly status: number
      /** The answer's `Date` header (whole seconds), when it had one. */
      readonly dateMs: number | undefined
      readonly sentMs: number
      readonly receivedMs: number
    }
  | { readonly reachable: false; readonly reason: string }

/**
 * Sends one unsigned GET to an endpoint's root. Any HTTP answer, an error included, means it is
 * reachable; nothing of the body is read or kept. The reason for no answer is the timeout or the
 * socket's error code (`ECONNREFUSED`, `ENOTFOUND`), never a message from the far side.
 */
export const probeEndpoint = async (
  endpoint: string,
  deps: { fetch: typeof fetch; nowMs: () => number; timeoutMs: number },
): Promise<Probe> => {
  const sentMs = deps.nowMs()
  try {
    const response = await deps.fetch(new URL('/', endpoint), {
      redirect: 'manual',
      signal: AbortSignal.timeout(deps.timeoutMs),
    })
    const receivedMs = deps.nowMs()
    await response.body?.cancel()
    const dateMs = Date.parse(response.headers.get('date') ?? '')
    return {
      reachable: true,
      status: response.status,
      dateMs: Number.isNaN(dateMs) ? undefined : dateMs,
      sentMs,
      receivedMs,
    }
  } catch (error) {
    if (error instanceof Error && error.name === 'TimeoutError')
      return { reachable: false, reason: `no answer within ${deps.timeoutMs} ms` }
    const code = (error as { cause?: { code?: unknown } }).cause?.code
    return {
      reachable: false,
      reason: typeof code === 'string' ? `network error ${code}` : 'network error',
    }
  }
}
