import type { CompiledHop } from '../config/load.ts'
import type { Credentials } from '../credentials/types.ts'
import { toBase64Url } from '../crypto/encoding.ts'
import { isVendError } from '../errors.ts'
import type { StsClient } from '../sts/client.ts'
import { isUnreachable } from '../upstream/is-unreachable.ts'

/** One probe of a partner role and what came of it. @public */
export interface CheckStep {
  readonly name: 'without ExternalId' | 'with a wrong ExternalId' | 'with the configured ExternalId'
  readonly ok: boolean
  readonly detail: string
}

/** What the gate found. @public */
export interface PartnerCheck {
  readonly ok: boolean
  /**
   * STS gave no answer, so nothing about the trust policy was learned: the steps end at that
   * call, and the fix is the network path, not the policy.
   */
  readonly unreachable: boolean
  /**
   * STS answered a probe with something other than a permission refusal (throttling, a clock or
   * source-credential problem, a malformed answer): the step failed, but the trust policy is not
   * known to be wrong.
   */
  readonly inconclusive: boolean
  /** A probe that must be refused (no ExternalId, a wrong one) was accepted: anyone naming the role reaches it. */
  readonly loose: boolean
  readonly steps: readonly CheckStep[]
}

const SESSION_NAME = 'credvend-partner-check'

/** Only a permission refusal proves the trust policy refused; a timeout proves nothing. */
const refusedByTrust = (error: unknown) => isVendError(error) && error.code === 'ERR_STS_DENIED'

const reason = (error: unknown) =>
  isVendError(error)
    ? `${error.code}${error.upstream?.code ? ` (${error.upstream.code})` : ''}`
    : 'unexpected error'

/** A call STS did not answer: it ends the check, since the next calls would only wait the same. */
class NotReached {
  readonly step: CheckStep

  constructor(step: CheckStep) {
    this.step = step
  }
}

/**
 * Proves a partner role is safe before it goes live (the confused-deputy gate): AssumeRole from
 * the last link of the chain must be refused without an ExternalId and with a wrong one, and must
 * succeed with the configured one. Anything else fails with its reason. The hubs before it are
 * assumed with their own configured ExternalIds. A call STS does not answer (`isUnreachable`,
 * the rule the CLI's exit codes follow too) ends the check as `unreachable`.
 * @public
 */
export const checkPartnerRole = async (init: {
  readonly sts: StsClient
  readonly source: Credentials
  readonly hops: readonly CompiledHop[]
  readonly roleArn: string
  readonly externalId: string
  readonly randomBytes: (n: number) => Uint8Array
}): Promise<PartnerCheck> => {
  const unanswered = (name: CheckStep['name'], roleArn: string, error: unknown) => {
    if (isUnreachable(error))
      throw new NotReached({
        name,
        ok: false,
        detail: `not checked: STS did not answer AssumeRole on ${roleArn}: ${reason(error)}`,
      })
  }
  const steps: CheckStep[] = []
  let inconclusive = false
  let loose = false
  try {
    let from = init.source
    for (const hop of init.hops) {
      try {
        const reply = await init.sts.assumeRole(from, {
          roleArn: hop.roleArn,
          roleSessionName: SESSION_NAME,
          ...(hop.externalId ? { externalId: hop.externalId } : {}),
        })
        from = { ...reply.credentials, source: `hub:${hop.roleArn}` }
      } catch (error) {
        unanswered('with the configured ExternalId', hop.roleArn, error)
        return {
          ok: false,
          unreachable: false,
          inconclusive: !refusedByTrust(error),
          loose: false,
          steps: [
            {
              name: 'with the configured ExternalId',
              ok: false,
              detail: `the hub ${hop.roleArn} could not be assumed: ${reason(error)}`,
            },
          ],
        }
      }
    }
    const attempt = async (name: CheckStep['name'], externalId: string | undefined) => {
      const error = await init.sts
        .assumeRole(from, {
          roleArn: init.roleArn,
          roleSessionName: SESSION_NAME,
          durationSeconds: 900,
          ...(externalId ? { externalId } : {}),
        })
        .then(
          () => undefined,
          (error: unknown) => error ?? new Error('refused'),
        )
      if (error !== undefined) unanswered(name, init.roleArn, error)
      return error
    }
    const mustRefuse = async (
      name: CheckStep['name'],
      externalId: string | undefined,
      danger: string,
    ): Promise<CheckStep> => {
      const error = await attempt(name, externalId)
      if (error === undefined) {
        loose = true
        return { name, ok: false, detail: danger }
      }
      if (!refusedByTrust(error)) {
        inconclusive = true
        return {
          name,
          ok: false,
          detail: `inconclusive: ${reason(error)} is not a permission refusal`,
        }
      }
      return { name, ok: true, detail: `refused: ${reason(error)}` }
    }
    let wrong = `cv-${toBase64Url(init.randomBytes(24))}`
    if (wrong === init.externalId) wrong = `${wrong}x`
    steps.push(
      await mustRefuse(
        'without ExternalId',
        undefined,
        'ACCEPTED: the trust policy does not require sts:ExternalId, so anyone who can name this role through credvend could reach it',
      ),
    )
    steps.push(
      await mustRefuse(
        'with a wrong ExternalId',
        wrong,
        'ACCEPTED: the trust policy does not pin the ExternalId value',
      ),
    )
    const right = await attempt('with the configured ExternalId', init.externalId)
    if (right !== undefined && !refusedByTrust(right)) inconclusive = true
    steps.push(
      right === undefined
        ? { name: 'with the configured ExternalId', ok: true, detail: 'assumed' }
        : {
            name: 'with the configured ExternalId',
            ok: false,
            detail: `refused: ${reason(right)} — the trust policy names another ExternalId or does not trust this caller`,
          },
    )
  } catch (error) {
    if (!(error instanceof NotReached)) throw error
    return { ok: false, unreachable: true, inconclusive, loose, steps: [...steps, error.step] }
  }
  return { ok: steps.every((s) => s.ok), unreachable: false, inconclusive, loose, steps }
}
