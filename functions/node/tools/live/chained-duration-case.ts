import { describeAnswer } from './answer-of.ts'
import { differs, failed, holds, skipped, type LiveCase } from './live-case.ts'
import { assumeLiveRole } from './live-calls.ts'
import { LIVE_ENV } from './live-target.ts'

const ROW = 'Role chaining (an STS session calling AssumeRole) capped at 3,600 s'
const ASKED = 7200
const EXPECTED = 'refused with InvalidParameter.DurationSeconds (HTTP 400)'

/**
 * Group 4: a session of the role asks AssumeRole on the same role for 7,200 s. First a direct
 * 7,200-s call from the operator's long-term key proves the role allows that much, so a refusal
 * of the chained call can only be the chaining cap and not the role's MaxSessionDuration.
 */
export const chainedDurationCase: LiveCase = {
  id: 'role-chaining/7200-s',
  row: ROW,
  run: async (ctx) => {
    if (ctx.target.credentials.securityToken) {
      return skipped(
        `needs a long-term AccessKey: with ${LIVE_ENV.securityToken} set, the direct ${ASKED}-s call that proves the role's MaxSessionDuration would itself be chained`,
      )
    }
    const direct = await assumeLiveRole(ctx, { DurationSeconds: String(ASKED) })
    if (direct.kind === 'no-answer') return failed(describeAnswer(direct))
    if (direct.kind === 'refused') {
      return skipped(
        `a direct ${ASKED}-s AssumeRole was ${describeAnswer(direct)}: the role's MaxSessionDuration must be at least ${ASKED} s`,
      )
    }
    const session = { ...direct.value.credentials, source: 'live-check' }
    const chained = await assumeLiveRole(
      ctx,
      { DurationSeconds: String(ASKED) },
      { credentials: session },
    )
    if (chained.kind === 'no-answer') return failed(describeAnswer(chained))
    if (chained.kind === 'refused') {
      if (chained.code === 'InvalidParameter.DurationSeconds' && chained.status === 400)
        return holds(describeAnswer(chained))
      if (chained.code === 'NoPermission') {
        // Either the role is not set up to trust itself, or the row "a role session's identifier
        // in a trust policy is its role ARN" is wrong; from here the two look the same.
        return skipped(
          `the role's own session was ${describeAnswer(chained)}: the role must trust its own ARN and allow sts:AssumeRole on itself`,
        )
      }
      return differs(describeAnswer(chained), EXPECTED)
    }
    const seconds =
      Math.round(
        (chained.value.credentials.expiration.getTime() - ctx.deps.now().getTime()) / 60_000,
      ) * 60
    return differs(
      seconds <= 3600
        ? `accepted, the session capped to about ${seconds} s`
        : `accepted for about ${seconds} s: no chaining cap`,
      EXPECTED,
    )
  },
}
