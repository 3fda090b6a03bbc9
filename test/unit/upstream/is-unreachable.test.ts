import { describe, expect, it } from 'vitest'
import { VendError } from '../../../lib/errors.ts'
import { misconfigured, noAnswer } from '../../../lib/credentials/provider-error.ts'
import { isUnreachable } from '../../../lib/upstream/is-unreachable.ts'

const sts = (code: 'ERR_STS_UNAVAILABLE' | 'ERR_STS_TIMEOUT' | 'ERR_STS_DENIED') =>
  new VendError(code, 'STS AssumeRole failed', { retryable: code !== 'ERR_STS_DENIED' })

describe("the CLI's one rule for exit 3", () => {
  it('an upstream that did not answer, by its own code', () => {
    for (const code of [
      'ERR_STS_UNAVAILABLE',
      'ERR_STS_TIMEOUT',
      'ERR_KMS_UNAVAILABLE',
      'ERR_KMS_TIMEOUT',
      'ERR_AUTH_JWKS_UNAVAILABLE',
      'ERR_CIRCUIT_OPEN',
    ] as const)
      expect(isUnreachable(new VendError(code, 'x')), code).toBe(true)
    expect(isUnreachable(new VendError('ERR_PROVIDER_UNAVAILABLE', 'x', { retryable: true }))).toBe(
      true,
    )
  })

  it('walks the cause chain: a provider wrapping an STS failure, however deep', () => {
    // As lib/credentials/providers/assumed-role.ts wraps a RamRoleArn profile's AssumeRole.
    const wrapped = misconfigured('cli-profile:deploy', 'AssumeRole failed', sts('ERR_STS_TIMEOUT'))
    expect(wrapped.code).toBe('ERR_PROVIDER_MISCONFIGURED')
    expect(isUnreachable(wrapped)).toBe(true)
    expect(isUnreachable(misconfigured('outer', 'chained', wrapped))).toBe(true)
    expect(isUnreachable(misconfigured('a', 'refused', sts('ERR_STS_DENIED')))).toBe(false)
  })

  it('a credentials URI or sign-in endpoint that did not answer is unreachable; one that refused is not', () => {
    const silent = misconfigured(
      'credentials-uri',
      'request failed (TypeError)',
      noAnswer(new TypeError('fetch failed')),
    )
    expect(isUnreachable(silent)).toBe(true)
    expect(isUnreachable(misconfigured('credentials-uri', 'HTTP 403'))).toBe(false)
  })

  it('a refusal, a missing source, a non-credvend error and a looping chain are not unreachable', () => {
    expect(isUnreachable(sts('ERR_STS_DENIED'))).toBe(false)
    // The credential chain's "no source is configured": no retry mends it.
    expect(isUnreachable(new VendError('ERR_PROVIDER_UNAVAILABLE', 'no credential source'))).toBe(
      false,
    )
    expect(isUnreachable(new TypeError('fetch failed'))).toBe(false)
    expect(isUnreachable(undefined)).toBe(false)
    const a = new VendError('ERR_PROVIDER_MISCONFIGURED', 'a')
    const b = new VendError('ERR_PROVIDER_MISCONFIGURED', 'b', { cause: a })
    Object.defineProperty(a, 'cause', { value: b })
    expect(isUnreachable(b)).toBe(false)
  })
})
