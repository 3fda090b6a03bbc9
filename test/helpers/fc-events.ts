/**
 * Events as FC 3.0 hands them to the built-in runtime's `index.handler`: a Buffer holding JSON.
 * Shapes from https://help.aliyun.com/zh/functioncompute/fc-3-0/user-guide/http-trigger-invoking-function
 * and https://www.alibabacloud.com/help/en/fc/formats-of-event-for-different-triggers.
 */

/** An HTTP-trigger event of any route; a body is sent as JSON. */
export const fcHttpEvent = (
  method: string,
  path: string,
  headers: Readonly<Record<string, string>> = {},
  body?: unknown,
): Buffer =>
  Buffer.from(
    JSON.stringify({
      version: 'v1',
      rawPath: path,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      isBase64Encoded: false,
      headers: {
        ...headers,
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      },
      queryParameters: {},
      requestContext: { http: { method, path, sourceIp: '11.11.11.11' }, requestId: '1-event' },
    }),
  )

/** The `partner-trust` timer trigger's event, as s.yaml declares it. */
export const FC_TIMER_EVENT = {
  triggerTime: '2026-12-03T05:49:00Z',
  triggerName: 'partner-trust',
  payload: 'partner-trust',
} as const

/** The timer's event as the handler receives it. */
export const fcTimerEvent = (): Buffer => Buffer.from(JSON.stringify(FC_TIMER_EVENT))
