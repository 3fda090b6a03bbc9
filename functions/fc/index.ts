import type { ProviderInput } from '../../lib/credentials/provider.ts'
import { lazyFcApp, logLoadFailure, misconfiguredBody, type FcApp } from './fc-app.ts'
import {
  decodeEvent,
  eventToRequest,
  isTimerEvent,
  parseEvent,
  responseToResult,
  type Fc3HttpResponse,
} from './fc3-event.ts'
import { trustTimerResult, type TrustTimerResult } from './trust-timer-result.ts'

/**
 * FC's context, as far as credvend reads it
 * (https://help.aliyun.com/en/functioncompute/context-1-1).
 */
export interface FcContext {
  readonly requestId?: string
  readonly credentials?: {
    readonly accessKeyId: string
    readonly accessKeySecret: string
    readonly securityToken?: string
  }
}

const app = lazyFcApp(process.env)

/** Read per invocation, never cached across invocations: FC supplies them afresh each time. */
const providerInput = (context: FcContext | undefined): ProviderInput =>
  context?.credentials ? { fcCredentials: { ...context.credentials, source: 'fc-context' } } : {}

/**
 * The FC 3.0 built-in runtime's handler: `index.handler` in s.yaml. HTTP-trigger events are
 * requests to the app; a timer trigger's event runs the partner trust watch within the invocation
 * (an instance gets CPU only while it handles one).
 */
export const handler = async (
  event: unknown,
  context?: FcContext,
): Promise<Fc3HttpResponse | TrustTimerResult> => {
  let instance: FcApp
  try {
    instance = await app.get(providerInput(context))
  } catch (error) {
    logLoadFailure(error)
    return {
      statusCode: 500,
      headers: { 'content-type': 'application/json' },
      isBase64Encoded: false,
      body: misconfiguredBody(context?.requestId ?? ''),
    }
  }
  const value = decodeEvent(event)
  if (isTimerEvent(value))
    return trustTimerResult(await instance.credvend.checkPartnerTrust(providerInput(context)))
  const parsed = parseEvent(value)
  const sourceAddress = parsed.requestContext.http.sourceIp
  // FC's own id for the invocation, so audit lines match FC's logs.
  const platformRequestId = context?.requestId ?? parsed.requestContext.requestId
  return responseToResult(
    await instance.app.fetch(eventToRequest(parsed), {
      providerInput: providerInput(context),
      ...(sourceAddress ? { sourceAddress } : {}),
      ...(platformRequestId ? { platformRequestId } : {}),
    }),
  )
}

/** Tests only: forget the instance's app so the next invocation builds it from the current env. */
export const resetForTests = () => app.reset()
