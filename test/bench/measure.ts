/**
 * Times `op` over `iterations` calls, `rounds` times, and returns the median time per call in
 * microseconds. Medians of several rounds damp the noise of a shared 2-core machine; budgets are
 * ratios between two such medians taken in the same run, never absolute times.
 */
export const measure = async (
  op: (i: number) => Promise<unknown>,
  iterations: number,
  rounds = 5,
): Promise<number> => {
  // A whole round of warm-up, so the JIT has compiled the path before anything is timed; it takes
  // the indices after the timed rounds, so a row of first sights never times a repeat.
  for (let i = 0; i < iterations; i++) await op(rounds * iterations + i)
  const perCall: number[] = []
  for (let r = 0; r < rounds; r++) {
    const start = performance.now()
    for (let i = 0; i < iterations; i++) await op(r * iterations + i)
    perCall.push(((performance.now() - start) * 1000) / iterations)
  }
  perCall.sort((a, b) => a - b)
  return perCall[Math.floor(rounds / 2)]!
}
