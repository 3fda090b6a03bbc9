import type { ChainExplanation } from '../../../../lib/credentials/explain-chain.ts'
import type { DoctorCheck } from './doctor-check.ts'

const NO_SOURCE_FIX =
  'give credvend an identity: ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET, an OIDC token file (ALIBABA_CLOUD_ROLE_ARN, ALIBABA_CLOUD_OIDC_PROVIDER_ARN, ALIBABA_CLOUD_OIDC_TOKEN_FILE), a CLI profile (aliyun configure), an ECS instance role, or ALIBABA_CLOUD_CREDENTIALS_URI'

/** Which source credvend's chain uses on this host, and what that hides: the doctor's first question. */
export const checkSource = (explanation: ChainExplanation): DoctorCheck => {
  const name = 'source'
  const { winner, stoppedAt, shadowed, officialInstead } = explanation
  const hidden = shadowed.map((s) => s.message)
  if (winner)
    return hidden.length === 0
      ? { name, status: 'ok', detail: `${winner.source}: ${winner.detail}`, fix: null }
      : {
          name,
          status: 'warn',
          detail: [`${winner.source}: ${winner.detail}`, ...hidden].join('\n'),
          fix: `to use ${shadowed[0]!.finding.label} instead, ${winner.turnOff}; programs you run here with the official SDKs choose the same way`,
        }
  if (stoppedAt) {
    const official = officialInstead
      ? `; the official SDK chain would skip it and use ${officialInstead.label}`
      : ''
    return {
      name,
      status: 'fail',
      detail: [
        `${stoppedAt.source} is configured but broken: ${stoppedAt.detail}. credvend stops there${official}`,
        ...hidden,
      ].join('\n'),
      fix: `fix the ${stoppedAt.source} source${stoppedAt.turnOff ? `, or ${stoppedAt.turnOff}` : ''}`,
    }
  }
  return {
    name,
    status: 'fail',
    detail: 'no credential source is configured on this host',
    fix: NO_SOURCE_FIX,
  }
}
