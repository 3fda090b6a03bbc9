import { describe, expect, it, vi } from 'vitest'
import { withRetry, type RetryOptions } from '../../../lib/upstream/retry.ts'
import { VendError } from '../../../lib/errors.ts'

const retryable = () => new VendError('ERR_STS_UNAVAILABLE', 'STS 503', { retryable: true })
const notRetryable = () => new VendError('ERR_STS_DENIED', 'NoPermission')
const throttledFor = (seconds: number) =>
  new VendError('ERR_STS_THROTTLED', 'throttled', { retryable: true, retryAfterSeconds: seconds })

/**
 * Options on a virtual clock: `sleep` records the delay and moves the clock by it, so the
 * deadline is measured in the time the retries asked for, never in the machine's speed.
 */
const virtual = (overrides: Partial<RetryOptions> = {}) => {
  let nowMs = Date.parse('2026-03-01T00:00:00Z')
  const sleep = vi.fn(async (ms: number) => void (nowMs += ms))
  const random = vi.fn(() => 0.5)
  const options: RetryOptions = {
    attempts: 3,
    deadlineMs: 60_000,
    backoffBaseMs: 100,
    backoffCapMs: 1_000,
    now: () => new Date(nowMs),
    sleep,
    random,
    ...overrides,
  }
  return { options, sleep, random }
}

/** Work that throws the given errors in turn, then returns 'done'. */
const failingThen = (...errors: Error[]) => {
  let i = 0
  return vi.fn(async () => {
    if (i < errors.length) throw errors[i++]!
    return 'done'
  })
}

describe('withRetry', () => {
  it('returns the first success without sleeping', async () => {
    const { options, sleep } = virtual()
    const work = failingThen()
    expect(await withRetry(work, options)).toBe('done')
    expect(work).toHaveBeenCalledTimes(1)
    expect(sleep).not.toHaveBeenCalled()
  })

  it('retries retryable failures and returns the eventual success', async () => {
    const { options, sleep } = virtual({ attempts: 3 })
    const work = failingThen(retryable(), retryable())
    expect(await withRetry(work, options)).toBe('done')
    expect(work).toHaveBeenCalledTimes(3)
    expect(sleep).toHaveBeenCalledTimes(2)
  })

  it.each([
    ['a refusal (retryable: false)', notRetryable()],
    ['an error that is not a VendError', new TypeError('bug')],
  ])('does not retry %s', async (_label, error) => {
    const { options, sleep } = virtual({ attempts: 5 })
    const work = vi.fn(async () => Promise.reject(error))
    await expect(withRetry(work, options)).rejects.toBe(error)
    expect(work).toHaveBeenCalledTimes(1)
    expect(sleep).not.toHaveBeenCalled()
  })

  it('stops after `attempts` calls and throws the last error', async () => {
    const { options, sleep } = virtual({ attempts: 3 })
    const errors = [retryable(), retryable(), retryable(), retryable()]
    const work = failingThen(...errors)
    await expect(withRetry(work, options)).rejects.toBe(errors[2])
    expect(work).toHaveBeenCalledTimes(3)
    expect(sleep).toHaveBeenCalledTimes(2)
  })

  it('waits full-jitter backoff drawn from the injected random, capped', async () => {
    const { options, sleep, random } = virtual({
      attempts: 6,
      backoffBaseMs: 100,
      backoffCapMs: 500,
    })
    const work = failingThen(retryable(), retryable(), retryable(), retryable(), retryable())
    await withRetry(work, options)
    expect(random).toHaveBeenCalledTimes(5)
    // Half of min(cap, base · 2^attempt) for attempts 0..4.
    expect(sleep.mock.calls.map(([ms]) => ms)).toEqual([50, 100, 200, 250, 250])
  })

  it('a retry that could not start before the deadline is not started', async () => {
    // Delays are 50, 100, 200: the third would end at 350 ms, past a 300 ms deadline.
    const { options, sleep } = virtual({ attempts: 10, deadlineMs: 300 })
    const errors = Array.from({ length: 10 }, retryable)
    const work = failingThen(...errors)
    await expect(withRetry(work, options)).rejects.toBe(errors[2])
    expect(work).toHaveBeenCalledTimes(3)
    expect(sleep.mock.calls.map(([ms]) => ms)).toEqual([50, 100])
  })

  it('never sleeps past the deadline, even on the first retry', async () => {
    const { options, sleep } = virtual({ deadlineMs: 50 })
    const work = failingThen(retryable())
    await expect(withRetry(work, options)).rejects.toBeInstanceOf(VendError)
    expect(work).toHaveBeenCalledTimes(1)
    expect(sleep).not.toHaveBeenCalled()
  })

  it('waits as long as the upstream asked when that is longer than the backoff', async () => {
    const { options, sleep } = virtual()
    await withRetry(failingThen(throttledFor(2)), options)
    expect(sleep).toHaveBeenCalledWith(2_000)
  })

  it('keeps the backoff when it is longer than what the upstream asked', async () => {
    const { options, sleep } = virtual({ backoffBaseMs: 10_000, backoffCapMs: 10_000 })
    await withRetry(failingThen(throttledFor(1)), options)
    expect(sleep).toHaveBeenCalledWith(5_000)
  })

  it('does not retry when the asked wait would pass the deadline', async () => {
    const { options, sleep } = virtual({ deadlineMs: 5_000 })
    const error = throttledFor(5)
    await expect(withRetry(failingThen(error), options)).rejects.toBe(error)
    expect(sleep).not.toHaveBeenCalled()
  })

  it('paced throttles do not use up the attempts', async () => {
    const { options } = virtual({ attempts: 2 })
    const work = failingThen(throttledFor(1), throttledFor(1), throttledFor(1), retryable())
    expect(await withRetry(work, options)).toBe('done')
    expect(work).toHaveBeenCalledTimes(5)
  })

  it('paced throttles stop at the deadline', async () => {
    const { options, sleep } = virtual({ attempts: 2, deadlineMs: 10_000 })
    const work = vi.fn(async () => Promise.reject(throttledFor(3)))
    await expect(withRetry(work, options)).rejects.toMatchObject({ code: 'ERR_STS_THROTTLED' })
    // 3 s, 6 s, 9 s; a fourth wait would end at 12 s.
    expect(sleep).toHaveBeenCalledTimes(3)
    expect(work).toHaveBeenCalledTimes(4)
  })

  it('paced throttles stop after a hard cap when the clock never moves', async () => {
    // A loop without the cap would spin forever on microtasks; this fake ends it as a failure.
    const sleep = vi.fn(async () => {
      if (sleep.mock.calls.length > 100) throw new Error('no cap: still retrying')
    })
    const { options } = virtual({ sleep })
    const work = vi.fn(async () => Promise.reject(throttledFor(1)))
    await expect(withRetry(work, options)).rejects.toMatchObject({ code: 'ERR_STS_THROTTLED' })
    // The first call and twenty retries.
    expect(work).toHaveBeenCalledTimes(21)
  })
})
