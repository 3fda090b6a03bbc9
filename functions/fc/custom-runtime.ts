import type { ProviderInput } from '../../lib/credentials/provider.ts'
import { logLoadFailure, misconfiguredBody, type lazyFcApp } from './fc-app.ts'
import { FC_HEADERS, headerCredentials } from './fc-headers.ts'
import { isTimerEvent } from './fc3-event.ts'
import { trustTimerResult } from './trust-timer-result.ts'

/**
 * How FC tells a custom runtime's server what a request is: `/invoke` for an event invocation (a
 * timer trigger's, here), `/http-invoke` for an HTTP trigger's
 * (https://www.alibabacloud.com/help/en/functioncompute/fc/context-and-log-format-1).
 */
const CONTROL_PATH = 'x-fc-control-path'

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } })

/**
 * The custom runtime's request handler: HTTP-trigger requests go to the app; an event invocation
 * (`POST /invoke`) carrying a timer trigger's event runs the partner trust watch and answers
 * what it found. Off FC (`onFc` false) no `x-fc-*` header is believed: a caller could name its
 * own keys and request id, or pose as an event invocation. Even on FC, an event invocation can
 * only start a trust run the watch finds due (at most one per 90 % of its interval).
 */
export const customRuntimeHandler =
  (onFc: boolean, app: ReturnType<typeof lazyFcApp>) =>
  async (request: Request): Promise<Response> => {
    const input: ProviderInput = onFc ? headerCredentials(request.headers) : {}
    const platformRequestId = onFc ? request.headers.get(FC_HEADERS.requestId) : null
    let instance
    try {
      instance = await app.get(input)
    } catch (error) {
      logLoadFailure(error)
      return new Response(misconfiguredBody(platformRequestId ?? ''), {
        status: 500,
        headers: { 'content-type': 'application/json' },
      })
    }
    if (
      onFc &&
      request.method === 'POST' &&
      request.headers.get(CONTROL_PATH) === '/invoke' &&
      new URL(request.url).pathname === '/invoke'
    ) {
      let event: unknown
      try {
        event = await request.json()
      } catch {
        event = undefined
      }
      if (!isTimerEvent(event))
        return json({ Code: 'ERR_BAD_REQUEST', Message: 'not a timer trigger event' }, 400)
      return json(trustTimerResult(await instance.credvend.checkPartnerTrust(input)))
    }
    // No source address: behind FC's front end the socket peer is FC, not the client, and which
    // header carries the client's address is not documented; the per-address limit stays off here.
    return instance.app.fetch(request, {
      providerInput: input,
      ...(platformRequestId ? { platformRequestId } : {}),
    })
  }
