/**
 * credvend on an FC 3.0 custom runtime: the same app as the built-in runtime's handler, served
 * by @hono/node-server on the port FC gives the runtime. Custom runtimes keep instance
 * concurrency (https://www.alibabacloud.com/help/en/functioncompute/feature-updates-in-function-compute-3),
 * so one cache and one set of in-flight STS calls serve every concurrent request of an instance.
 * `bootstrap` in the code package starts this file.
 */
import { serve } from '@hono/node-server'
import { jsonLineLog } from '../node/platform/deps.ts'
import { lazyFcApp, logLoadFailure, misconfiguredBody } from './fc-app.ts'
import { FC_HEADERS, headerCredentials, listenPort, runsOnFc } from './fc-headers.ts'

const env = process.env
const onFc = runsOnFc(env)
const app = lazyFcApp(env)

const handle = async (request: Request): Promise<Response> => {
  // Off FC nobody vouches for x-fc-* headers: a caller could name its own keys and request id.
  const input = onFc ? headerCredentials(request.headers) : {}
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
  // No source address: behind FC's front end the socket peer is FC, not the client, and which
  // header carries the client's address is not documented; the per-address limit stays off here.
  return instance.fetch(request, {
    providerInput: input,
    ...(platformRequestId ? { platformRequestId } : {}),
  })
}

const port = listenPort(env)
serve({ fetch: handle, hostname: '0.0.0.0', port }, (info) =>
  jsonLineLog({ type: 'server', event: 'listening', port: info.port, onFunctionCompute: onFc }),
)
