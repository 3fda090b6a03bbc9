import type { Credentials } from './types.ts'

/** Per-request input a provider may use (the FC entry passes `context.credentials` here). @public */
export interface ProviderInput {
  readonly fcCredentials?: Credentials
}

/**
 * A source of credvend's own credentials: a plain async function, so `chain` and `memoize`
 * compose it like any other.
 * @public
 */
export type CredentialProvider = (input?: ProviderInput) => Promise<Credentials>

/** A provider that always yields the same credentials (tests, local mode). @public */
export const fromStatic =
  (credentials: Credentials): CredentialProvider =>
  async () =>
    credentials
