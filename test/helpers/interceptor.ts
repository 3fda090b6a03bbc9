import { listenLoopback } from '../../functions/node/cli/local/local-emulator.ts'

interface Recorded {
  readonly method: string
  readonly url: string
  readonly headers: Record<string, string>
  readonly body: string
}

/**
 * A loopback man-in-the-middle in front of an emulator handler: it records every request as
 * received, can rewrite text on the way through, and can replay a recorded request unchanged —
 * the three things an attacker on the wire would try. Requests reach the handler in-process with
 * their original Host header, which ACS3 signs.
 */
export const startInterceptor = async (
  handler: (request: Request) => Response | Promise<Response>,
) => {
  let rewrite: ((text: string) => string) | undefined
  const recorded: Recorded[] = []
  const forward = (r: Recorded) =>
    handler(
      new Request(r.url, {
        method: r.method,
        headers: r.headers,
        ...(r.method === 'GET' || r.method === 'HEAD' ? {} : { body: r.body }),
      }),
    )
  const listener = await listenLoopback(async (request) => {
    const body = await request.text()
    const headers = Object.fromEntries(request.headers)
    delete headers['content-length']
    const entry: Recorded = {
      method: request.method,
      url: rewrite ? rewrite(request.url) : request.url,
      headers,
      body: rewrite ? rewrite(body) : body,
    }
    recorded.push(entry)
    return forward(entry)
  }, 0)
  return {
    endpoint: `http://127.0.0.1:${listener.port}`,
    recorded,
    tamper: (fn: ((text: string) => string) | undefined) => void (rewrite = fn),
    replay: (entry: Recorded) => forward(entry),
    close: listener.close,
  }
}
