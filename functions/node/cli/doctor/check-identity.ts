import type { ChainExplanation } from '../../../../lib/credentials/explain-chain.ts'
import type { CredentialProvider } from '../../../../lib/credentials/provider.ts'
import { isVendError, type VendError } from '../../../../lib/errors.ts'
import type { StsClient } from '../../../../lib/sts/client.ts'
import { isUnreachable } from '../../../../lib/upstream/is-unreachable.ts'
import type { DoctorCheck } from './doctor-check.ts'

const causeOf = (error: VendError) => (isVendError(error.cause) ? error.cause : undefined)

/** Code, fixed message and Alibaba's error code: never the upstream's message or body. */
const describe = (error: VendError) => {
  const upstream = error.upstream?.code ? ` (STS ${error.upstream.code})` : ''
  const cause = causeOf(error)
  const because = cause
    ? `; because ${cause.code}${cause.upstream?.code ? ` (STS ${cause.upstream.code})` : ''}`
    : ''
  return `${error.code}: ${error.message}${upstream}${because}`
}

const fixFor = (error: VendError, endpoint: string): string => {
  const code = causeOf(error)?.code ?? error.code
  if (code === 'ERR_STS_CLOCK_SKEW') return "synchronise this host's clock (see clock-skew)"
  if (code === 'ERR_STS_SOURCE_CREDENTIALS')
    return "the source's AccessKey or token is wrong, disabled or expired: replace it (see source)"
  if (isUnreachable(error)) return `check the network path to ${endpoint}`
  if (error.code === 'ERR_PROVIDER_MISCONFIGURED')
    return 'fix the source named above, or take it out of the chain (see source)'
  return `STS answered ${code}: check the endpoint, and the source named under source`
}

const isSkew = (error: unknown) =>
  isVendError(error) &&
  (error.code === 'ERR_STS_CLOCK_SKEW' || causeOf(error)?.code === 'ERR_STS_CLOCK_SKEW')

/**
 * Who credvend is on this host: its own chain's credentials, then STS GetCallerIdentity. A refused
 * timestamp is tried once more, as the server does, because the STS client has then learned
 * STS's clock; the clock-skew check reports the offset itself.
 */
export const checkIdentity = async (input: {
  readonly explanation: ChainExplanation
  readonly stsReachable: boolean
  readonly source: CredentialProvider
  readonly sts: StsClient
  readonly endpoint: string
}): Promise<DoctorCheck> => {
  const name = 'identity'
  if (!input.explanation.winner)
    return {
      name,
      status: 'skipped',
      detail: 'no working credential source (see source)',
      fix: null,
    }
  if (!input.stsReachable)
    return { name, status: 'skipped', detail: `STS at ${input.endpoint} did not answer`, fix: null }
  const ask = async () => {
    const credentials = await input.source()
    return { from: credentials.source, identity: await input.sts.getCallerIdentity(credentials) }
  }
  try {
    const { from, identity } = await ask().catch((error: unknown) => {
      if (isSkew(error)) return ask()
      throw error
    })
    return {
      name,
      status: 'ok',
      detail: `account ${identity.accountId}: ${identity.arn} (${identity.identityType}), from ${from}`,
      fix: null,
    }
  } catch (error) {
    if (!isVendError(error))
      return {
        name,
        status: 'fail',
        detail: `unexpected failure (${error instanceof Error ? error.name : 'error'})`,
        fix: null,
      }
    const unreachable = isUnreachable(error)
    return {
      name,
      status: 'fail',
      detail: describe(error),
      fix: fixFor(error, input.endpoint),
      ...(unreachable ? { unreachable: true as const } : {}),
    }
  }
}
