import type { CredentialProvider } from '../provider.ts'
import { notConfigured } from '../provider-error.ts'

/**
 * Function Compute's `context.credentials`, handed in per invocation by the FC entry. They carry no
 * expiration (https://help.aliyun.com/en/functioncompute/context-1-1) and are read afresh every
 * time, never cached across invocations.
 * @public
 */
export const fromFcContext = (): CredentialProvider => async (input) => {
  if (!input?.fcCredentials) throw notConfigured('fc-context', 'not running on Function Compute')
  return { ...input.fcCredentials, source: 'fc-context' }
}
