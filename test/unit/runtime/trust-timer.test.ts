import { describe, expect, it } from 'vitest'
import { startTrustTimer, TRUST_TICK_MS } from '../../../functions/node/platform/trust-timer.ts'

/** Timers the test fires by hand, recording what the driver asked of them. */
const manualTimers = () => {
  const state = { every: 0, unref: 0, cleared: 0, tick: () => {} }
  return {
    state,
    timers: {
      setInterval: (tick: () => void, ms: number) => {
        state.tick = tick
        state.every = ms
        return { unref: () => void state.unref++ }
      },
      clearInterval: () => void state.cleared++,
    },
  }
}

describe('the Node driver of the partner trust watch', () => {
  it('asks at start and on every tick, never keeps the process alive, and stops', async () => {
    const { state, timers } = manualTimers()
    let asked = 0
    const stop = startTrustTimer({ checkPartnerTrust: async () => void asked++ }, () => {}, timers)
    expect([asked, state.every, state.unref]).toEqual([1, TRUST_TICK_MS, 1])
    state.tick()
    state.tick()
    expect(asked).toBe(3)
    stop()
    expect(state.cleared).toBe(1)
  })

  it('logs a run that failed unexpectedly, and keeps ticking', async () => {
    const { state, timers } = manualTimers()
    const lines: unknown[] = []
    startTrustTimer(
      { checkPartnerTrust: () => Promise.reject(new Error('boom')) },
      (line) => void lines.push(line),
      timers,
    )
    state.tick()
    await new Promise((resolve) => setTimeout(resolve, 0))
    expect(lines).toEqual([
      { type: 'partner-trust', event: 'run-failed', level: 'warn' },
      { type: 'partner-trust', event: 'run-failed', level: 'warn' },
    ])
  })
})
