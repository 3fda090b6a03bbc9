import { describe, expect, it, vi } from 'vitest'
import { createCircuit } from '../../../lib/upstream/circuit.ts'
import { VendError } from '../../../lib/errors.ts'
import { deferred } from '../../helpers/deferred.ts'

const manualClock = () => {
  let nowMs = Date.parse('2026-03-01T00:00:00Z')
  return {
    now: () => new Date(nowMs),
    advance: (ms: number) => void (nowMs += ms),
  }
}

const outage = () => new VendError('ERR_STS_UNAVAILABLE', 'STS 503', { retryable: true })
const throttled = () => new VendError('ERR_STS_THROTTLED', 'throttled', { retryable: true })
const denied = () => new VendError('ERR_STS_DENIED', 'NoPermission')

const failingWith = (make: () => Error) =>
  vi.fn(async (): Promise<string> => {
    throw make()
  })
const succeeding = () => vi.fn(async () => 'ok')

const setup = (failures = 3, cooldownMs = 10_000) => {
  const clock = manualClock()
  const circuit = createCircuit({ failures, cooldownMs, now: clock.now })
  /** Feeds `n` outages through the circuit. */
  const fail = async (n: number) => {
    for (let i = 0; i < n; i++) await expect(circuit.run(failingWith(outage))).rejects.toThrow()
  }
  return { clock, circuit, fail }
}

describe('createCircuit', () => {
  it('stays closed below the failure count and opens on reaching it', async () => {
    const { circuit, fail } = setup(3)
    await fail(2)
    expect(circuit.state).toBe('closed')
    await fail(1)
    expect(circuit.state).toBe('open')
  })

  it('passes the work’s own error through while closed', async () => {
    const { circuit } = setup(3)
    const error = outage()
    await expect(circuit.run(async () => Promise.reject(error))).rejects.toBe(error)
  })

  it('fails fast with ERR_CIRCUIT_OPEN while open, without calling the work', async () => {
    const { circuit, fail } = setup(2)
    await fail(2)
    const work = succeeding()
    await expect(circuit.run(work)).rejects.toMatchObject({
      code: 'ERR_CIRCUIT_OPEN',
      retryable: false,
      message: 'STS is unavailable (circuit open)',
    })
    expect(work).not.toHaveBeenCalled()
  })

  it('names the upstream it guards', async () => {
    const clock = manualClock()
    const circuit = createCircuit({
      failures: 1,
      cooldownMs: 1000,
      now: clock.now,
      upstream: 'KMS',
    })
    await expect(circuit.run(failingWith(outage))).rejects.toThrow()
    await expect(circuit.run(succeeding())).rejects.toThrow('KMS is unavailable (circuit open)')
  })

  it('a success resets the count: only consecutive outages open it', async () => {
    const { circuit, fail } = setup(3)
    await fail(2)
    await circuit.run(succeeding())
    await fail(2)
    expect(circuit.state).toBe('closed')
    await fail(1)
    expect(circuit.state).toBe('open')
  })

  it.each([
    ['a refusal (not retryable)', denied],
    ['throttling', throttled],
    ['a non-VendError', () => new TypeError('bug')],
  ])('%s is an answer, not an outage, and never opens it', async (_label, make) => {
    const { circuit, fail } = setup(2)
    for (let i = 0; i < 10; i++) await expect(circuit.run(failingWith(make))).rejects.toThrow()
    expect(circuit.state).toBe('closed')
    await fail(1)
    expect(circuit.state).toBe('closed')
  })

  it('stays open for the whole cooldown on the injected clock', async () => {
    const { clock, circuit, fail } = setup(1, 10_000)
    await fail(1)
    clock.advance(9_999)
    const work = succeeding()
    await expect(circuit.run(work)).rejects.toMatchObject({ code: 'ERR_CIRCUIT_OPEN' })
    expect(work).not.toHaveBeenCalled()
  })

  it('after the cooldown lets one trial through, and a successful trial closes it', async () => {
    const { clock, circuit, fail } = setup(1, 10_000)
    await fail(1)
    clock.advance(10_000)
    const work = succeeding()
    expect(await circuit.run(work)).toBe('ok')
    expect(work).toHaveBeenCalledTimes(1)
    expect(circuit.state).toBe('closed')
    await expect(circuit.run(work)).resolves.toBe('ok')
  })

  it('while the half-open trial is in flight, other calls still fail fast', async () => {
    const { clock, circuit, fail } = setup(1, 10_000)
    await fail(1)
    clock.advance(10_000)
    const gate = deferred<string>()
    const trial = vi.fn(() => gate.promise)
    const pending = circuit.run(trial)
    const other = succeeding()
    await expect(circuit.run(other)).rejects.toMatchObject({ code: 'ERR_CIRCUIT_OPEN' })
    expect(other).not.toHaveBeenCalled()
    gate.resolve('ok')
    expect(await pending).toBe('ok')
    expect(await circuit.run(other)).toBe('ok')
  })

  it('a failed trial re-opens it for a fresh cooldown from the failure', async () => {
    const { clock, circuit, fail } = setup(3, 10_000)
    await fail(3)
    clock.advance(10_000)
    await fail(1)
    expect(circuit.state).toBe('open')
    clock.advance(9_999)
    await expect(circuit.run(succeeding())).rejects.toMatchObject({ code: 'ERR_CIRCUIT_OPEN' })
    clock.advance(1)
    await expect(circuit.run(succeeding())).resolves.toBe('ok')
  })

  it('a trial answered with a refusal closes it: the upstream is reachable', async () => {
    const { clock, circuit, fail } = setup(2, 10_000)
    await fail(2)
    clock.advance(10_000)
    await expect(circuit.run(failingWith(denied))).rejects.toMatchObject({ code: 'ERR_STS_DENIED' })
    expect(circuit.state).toBe('closed')
    // Closed again with a fresh count: one outage is not enough to re-open it.
    await fail(1)
    expect(circuit.state).toBe('closed')
  })
})

describe('the half-open trial slot', () => {
  it('a slow call from before the circuit opened, ending during a trial, lets no second trial in', async () => {
    let nowMs = 0
    const circuit = createCircuit({ failures: 1, cooldownMs: 1_000, now: () => new Date(nowMs) })
    const outage = () => new VendError('ERR_STS_UNAVAILABLE', 'down', { retryable: true })
    let failSlow!: (error: unknown) => void
    const slow = circuit.run(() => new Promise((_, reject) => (failSlow = reject)))
    await expect(circuit.run(() => Promise.reject(outage()))).rejects.toBeDefined()
    nowMs = 1_000
    let endTrial!: (value: string) => void
    const trial = circuit.run(() => new Promise<string>((resolve) => (endTrial = resolve)))
    failSlow(outage())
    await expect(slow).rejects.toBeDefined()
    nowMs = 2_500
    const second = vi.fn(async () => 'second')
    await expect(circuit.run(second)).rejects.toMatchObject({ code: 'ERR_CIRCUIT_OPEN' })
    expect(second).not.toHaveBeenCalled()
    endTrial('ok')
    await expect(trial).resolves.toBe('ok')
  })
})
