import type { SecretValue } from '../../../../lib/kms/client.ts'
import { ramCredentialsData } from '../../../../lib/kms/client.ts'
import { describeAnswer } from './answer-of.ts'
import { differs, failed, holds, skipped, type LiveCase } from './live-case.ts'
import { callerIdentityAs, getLiveSecret } from './live-calls.ts'
import { LIVE_ENV } from './live-target.ts'

const ROW = 'Rotation: the new key becomes `ACSCurrent`, the old one `ACSPrevious`'

const keysOf = (value: SecretValue, stage: string) => {
  let data: unknown
  try {
    data = JSON.parse(value.secretData)
  } catch {
    data = undefined
  }
  const parsed = ramCredentialsData.safeParse(data)
  return parsed.success ? { ...parsed.data, source: `kms:${stage}` } : undefined
}

const sinceRotation = (value: SecretValue, now: Date) =>
  value.lastRotationDate
    ? `${((now.getTime() - value.lastRotationDate.getTime()) / 3_600_000).toFixed(1)} h after the last rotation`
    : 'after rotation'

/**
 * Group 5: the named RAMCredentials secret's ACSPrevious AccessKey must still be accepted. The
 * tool cannot rotate (it only reads), so it checks the last rotation the account made; the
 * ACSCurrent key is checked first as a control, so a refusal is about the old key alone.
 */
export const rotationOverlapCase: LiveCase = {
  id: 'rotation/acs-previous',
  row: ROW,
  run: async (ctx) => {
    const name = ctx.target.kmsSecret
    if (name === undefined) return skipped(`${LIVE_ENV.kmsSecret} is not set`)
    const current = await getLiveSecret(ctx, name, 'ACSCurrent')
    if (current.kind === 'no-answer') return failed(describeAnswer(current))
    if (current.kind === 'refused')
      return skipped(`reading ACSCurrent was ${describeAnswer(current)}`)
    if (current.value.secretType !== 'RAMCredentials')
      return skipped(
        `the secret is of type ${current.value.secretType ?? '(none)'}, not RAMCredentials`,
      )
    const previous = await getLiveSecret(ctx, name, 'ACSPrevious')
    if (previous.kind === 'no-answer') return failed(describeAnswer(previous))
    if (previous.kind === 'refused')
      return skipped(
        `reading ACSPrevious was ${describeAnswer(previous)}: has the secret rotated yet?`,
      )
    const [now, old] = [keysOf(current.value, 'ACSCurrent'), keysOf(previous.value, 'ACSPrevious')]
    if (!now || !old) return failed('a version of the secret holds no AccessKey pair')
    const control = await callerIdentityAs(ctx, now)
    if (control.kind !== 'accepted')
      return skipped(
        `the ACSCurrent key itself was ${describeAnswer(control)}, so the old key's answer would prove nothing`,
      )
    const answer = await callerIdentityAs(ctx, old)
    const when = sinceRotation(current.value, ctx.deps.now())
    if (answer.kind === 'no-answer') return failed(describeAnswer(answer))
    return answer.kind === 'accepted'
      ? holds(`the ACSPrevious key is still accepted ${when}`)
      : differs(
          `the ACSPrevious key was ${describeAnswer(answer)} ${when}`,
          'it is accepted until the overlap ends',
        )
  },
}
