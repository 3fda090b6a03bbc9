import { isVendError } from '../../../../lib/errors.ts'

/**
 * What Alibaba said to one call, kept to what may be printed: acceptance, or Alibaba's error code
 * and HTTP status. Never a message (STS echoes the string to sign in it) nor a credential.
 */
export type Answer<T> =
  | { readonly kind: 'accepted'; readonly value: T }
  | { readonly kind: 'refused'; readonly code: string; readonly status: number }
  | { readonly kind: 'no-answer'; readonly why: string }

/**
 * Settles a call made through credvend's own clients. Their VendErrors carry the upstream code
 * and status for a refusal; a timeout, network error or unparseable reply has no upstream code
 * and is "no answer". VendError messages are fixed text, never a secret or an upstream payload,
 * so they are safe to print.
 */
export const answerOf = async <T>(call: Promise<T>): Promise<Answer<T>> => {
  try {
    return { kind: 'accepted', value: await call }
  } catch (error) {
    if (!isVendError(error)) throw error
    const status = error.upstream?.httpStatus
    if (status === undefined || error.code.endsWith('_BAD_RESPONSE'))
      return { kind: 'no-answer', why: error.message }
    return { kind: 'refused', code: error.upstream?.code ?? '(no Alibaba error code)', status }
  }
}

/** `accepted`, `refused with <Code> (HTTP <status>)` or `no answer (<why>)`. */
export const describeAnswer = (answer: Answer<unknown>): string =>
  answer.kind === 'accepted'
    ? 'accepted'
    : answer.kind === 'refused'
      ? `refused with ${answer.code} (HTTP ${answer.status})`
      : `no answer (${answer.why})`
