import { STS_ERRORS, type StsErrorCode } from '../../../../lib/emulator/sts/sts-errors.ts'
import { describeAnswer, type Answer } from './answer-of.ts'
import { differs, failed, holds, type Verdict } from './live-case.ts'

/** The call must succeed. */
export const expectAccepted = (answer: Answer<unknown>): Verdict => {
  if (answer.kind === 'no-answer') return failed(describeAnswer(answer))
  return answer.kind === 'accepted'
    ? holds('accepted')
    : differs(describeAnswer(answer), 'acceptance')
}

/**
 * The call must be refused with `code` and the HTTP status the emulator answers it with: both
 * come from the emulator's own error table, so what is compared is exactly what it assumes.
 */
export const expectRefused = (answer: Answer<unknown>, code: StsErrorCode): Verdict => {
  if (answer.kind === 'no-answer') return failed(describeAnswer(answer))
  const status = STS_ERRORS[code].status
  const seen = describeAnswer(answer)
  const same = answer.kind === 'refused' && answer.code === code && answer.status === status
  return same ? holds(seen) : differs(seen, `refused with ${code} (HTTP ${status})`)
}
