import { VendError } from '../errors.ts'
import type { CredentialProvider } from './provider.ts'
import { ProviderError } from './provider-error.ts'

/**
 * Tries providers in order; the first to yield credentials wins. Only a "not configured"
 * ProviderError moves on; any other failure stops the chain and is thrown as is.
 * @example
 * const source = chain(fromFcContext(), fromEnv(env), fromCredentialsUri(deps))
 * @public
 */
export const chain =
  (...providers: readonly CredentialProvider[]): CredentialProvider =>
  async (input) => {
    const skipped: string[] = []
    for (const provider of providers) {
      try {
        return await provider(input)
      } catch (error) {
        if (error instanceof ProviderError && error.tryNextLink) {
          skipped.push(error.source)
          continue
        }
        throw error
      }
    }
    throw new VendError(
      'ERR_PROVIDER_UNAVAILABLE',
      `no credential source is configured (tried ${skipped.join(', ') || 'nothing'})`,
    )
  }
