import type { Config } from './schema.ts'
import type { CredentialProvider, ProviderInput } from '../credentials/provider.ts'
import type { CoreDeps } from '../runtime/deps.ts'
import { createKmsClient } from '../kms/client.ts'

/**
 * Resolves `{ "kmsSecret": NAME }` config references: GetSecretValue (ACSCurrent) with credvend's
 * own identity (on FC, the invocation's `context.credentials` through `input`), on the config's
 * KMS endpoint. Undefined when the config names no KMS endpoint,
 * so such a reference fails to load with that reason.
 * @public
 */
export const kmsSecretReader =
  (source: CredentialProvider, deps: CoreDeps, input?: ProviderInput) =>
  (config: Config): ((name: string) => Promise<string>) | undefined => {
    if (!config.kms) return undefined
    const kms = createKmsClient(
      { endpoint: config.kms.endpoint, timeoutMs: config.kms.timeoutMs },
      deps,
    )
    return async (name) => {
      try {
        return (await kms.getSecretValue(await source(input), { secretName: name })).secretData
      } catch (error) {
        // One line for the config report; the code says why, never the value.
        throw new Error(
          `KMS secret ${name} could not be read (${error instanceof Error && 'code' in error ? String(error.code) : 'error'})`,
        )
      }
    }
  }
