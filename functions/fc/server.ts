/**
 * credvend on an FC 3.0 custom runtime: the same app as the built-in runtime's handler, served
 * by @hono/node-server on the port FC gives the runtime. Custom runtimes keep instance
 * concurrency (https://www.alibabacloud.com/help/en/functioncompute/feature-updates-in-function-compute-3),
 * so one cache and one set of in-flight STS calls serve every concurrent request of an instance.
 * `bootstrap` in the code package starts this file.
 */
import { serve } from '@hono/node-server'
import { jsonLineLog } from '../node/platform/deps.ts'
import { customRuntimeHandler } from './custom-runtime.ts'
import { lazyFcApp } from './fc-app.ts'
import { listenPort, runsOnFc } from './fc-headers.ts'

const env = process.env
const onFc = runsOnFc(env)
const handle = customRuntimeHandler(onFc, lazyFcApp(env))

const port = listenPort(env)
serve({ fetch: handle, hostname: '0.0.0.0', port }, (info) =>
  jsonLineLog({ type: 'server', event: 'listening', port: info.port, onFunctionCompute: onFc }),
)
