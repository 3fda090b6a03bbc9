import { describe, expect, it } from 'vitest'
import { commandAvailable, systemDepDecision } from '../helpers/system-deps.ts'

describe('test contract: missing system programs', () => {
  it('fail the run under CI=true and are skipped (with a banner) only locally', () => {
    expect(systemDepDecision(true, true)).toBe('run')
    expect(systemDepDecision(true, false)).toBe('run')
    expect(systemDepDecision(false, true)).toBe('fail')
    expect(systemDepDecision(false, false)).toBe('skip')
  })

  it('probes programs by running them', () => {
    expect(commandAvailable('node')).toBe(true)
    expect(commandAvailable('credvend-no-such-program-xyz')).toBe(false)
  })
})
