import { handler } from '../../functions/fc/index.ts'
import type { Fc3HttpResponse } from '../../functions/fc/fc3-event.ts'

/** `index.handler` given an HTTP-trigger event: its answer must be an HTTP result. */
export const httpHandler = async (
  ...args: Parameters<typeof handler>
): Promise<Fc3HttpResponse> => {
  const result = await handler(...args)
  if (!('statusCode' in result))
    throw new Error('index.handler answered an HTTP event without an HTTP result')
  return result
}
