import { VendError } from '../errors.ts'

/**
 * A credential provider's failure. `tryNextLink: true` means "not configured here" (variable
 * unset, file absent): the chain moves on. Anything else — configured but broken or unsafe — stops
 * the chain, so a typo never falls through silently to another identity.
 * Messages name the source and the problem, never a secret.
 * @public
 */
export class ProviderError extends VendError {
  readonly tryNextLink: boolean
  readonly source: string

  constructor(source: string, message: string, options: { tryNextLink: boolean; cause?: unknown }) {
    super(
      options.tryNextLink ? 'ERR_PROVIDER_NOT_CONFIGURED' : 'ERR_PROVIDER_MISCONFIGURED',
      `${source}: ${message}`,
      {
        ...(options.cause === undefined ? {} : { cause: options.cause }),
      },
    )
    this.tryNextLink = options.tryNextLink
    this.source = source
  }
}

/** "Not configured here": the chain tries the next provider. @public */
export const notConfigured = (source: string, message: string) =>
  new ProviderError(source, message, { tryNextLink: true })

/** "Configured but broken": the chain stops here. @public */
export const misconfigured = (source: string, message: string, cause?: unknown) =>
  new ProviderError(source, message, { tryNextLink: false, cause })

/**
 * The cause to give a provider's failure when its endpoint did not answer: the chain still stops
 * (the source is configured), but whoever reads the error can tell a network problem, worth a
 * retry, from a broken source.
 * @public
 */
export const noAnswer = (error: unknown) =>
  new VendError('ERR_PROVIDER_UNAVAILABLE', 'no answer', { retryable: true, cause: error })
