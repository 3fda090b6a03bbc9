import { describe, expect, it, vi } from 'vitest'
import { createSingleFlight } from '../../../lib/cache/single-flight.ts'
import { deferred } from '../../helpers/deferred.ts'

/** Work that stays pending until the test settles the deferred it hands back. */
const pendingWork = <T>() => {
  const gate = deferred<T>()
  const work = vi.fn(() => gate.promise)
  return { gate, work }
}

describe('createSingleFlight (sharing)', () => {
  it('N concurrent runs of one key make one call and all get its value', async () => {
    const flight = createSingleFlight<string>({ sharePending: true })
    const { gate, work } = pendingWork<string>()
    const runs = Array.from({ length: 25 }, () => flight.run('k', work))
    expect(work).toHaveBeenCalledTimes(1)
    gate.resolve('v')
    expect(await Promise.all(runs)).toEqual(Array(25).fill('v'))
    expect(work).toHaveBeenCalledTimes(1)
  })

  it('runs different keys independently', async () => {
    const flight = createSingleFlight<string>({ sharePending: true })
    const a = pendingWork<string>()
    const b = pendingWork<string>()
    const runA = flight.run('a', a.work)
    const runB = flight.run('b', b.work)
    expect(a.work).toHaveBeenCalledTimes(1)
    expect(b.work).toHaveBeenCalledTimes(1)
    expect(flight.inFlight).toBe(2)
    b.gate.resolve('B')
    a.gate.resolve('A')
    expect([await runA, await runB]).toEqual(['A', 'B'])
  })

  it('shares a failure with every waiter, then clears the key for the next run', async () => {
    const flight = createSingleFlight<string>({ sharePending: true })
    const { gate, work } = pendingWork<string>()
    const runs = [flight.run('k', work), flight.run('k', work), flight.run('k', work)]
    const boom = new Error('upstream down')
    gate.reject(boom)
    for (const run of runs) await expect(run).rejects.toBe(boom)
    expect(flight.running('k')).toBe(false)
    const retry = vi.fn(async () => 'recovered')
    expect(await flight.run('k', retry)).toBe('recovered')
    expect(retry).toHaveBeenCalledTimes(1)
  })

  it('is not a cache: once a call settles, the next run of the key calls again', async () => {
    const flight = createSingleFlight<number>({ sharePending: true })
    let n = 0
    const work = vi.fn(async () => ++n)
    expect(await flight.run('k', work)).toBe(1)
    expect(await flight.run('k', work)).toBe(2)
    expect(work).toHaveBeenCalledTimes(2)
  })

  it('reports running(key) and inFlight only while the call is pending', async () => {
    const flight = createSingleFlight<string>({ sharePending: true })
    const { gate, work } = pendingWork<string>()
    expect(flight.running('k')).toBe(false)
    const run = flight.run('k', work)
    expect(flight.running('k')).toBe(true)
    expect(flight.running('other')).toBe(false)
    expect(flight.inFlight).toBe(1)
    gate.resolve('v')
    await run
    expect(flight.running('k')).toBe(false)
    expect(flight.inFlight).toBe(0)
  })
})

describe('createSingleFlight (sharePending: false)', () => {
  it('runs every call on its own, even for the same key at the same time', async () => {
    const flight = createSingleFlight<number>({ sharePending: false })
    const gates = [deferred<number>(), deferred<number>(), deferred<number>()]
    let i = 0
    const work = vi.fn(() => gates[i++]!.promise)
    const runs = [flight.run('k', work), flight.run('k', work), flight.run('k', work)]
    expect(work).toHaveBeenCalledTimes(3)
    gates.forEach((g, j) => g.resolve(j))
    expect(await Promise.all(runs)).toEqual([0, 1, 2])
  })

  it('never reports anything as running', async () => {
    const flight = createSingleFlight<string>({ sharePending: false })
    const { gate, work } = pendingWork<string>()
    const run = flight.run('k', work)
    expect(flight.running('k')).toBe(false)
    expect(flight.inFlight).toBe(0)
    gate.resolve('v')
    expect(await run).toBe('v')
  })
})
