/**
 * How the bench compares two things on a shared, noisy 2-core machine: variant and baseline are
 * measured round by round, so a burst of someone else's load hits both alike; each round gives
 * one ratio, and the row reports the median of those ratios with their spread. Budgets are ratios
 * between two measurements taken in the same run, never absolute times.
 */

/** Rounds per row; the first extra round warms the JIT and is not counted. */
export const ROUNDS = 7

export const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

/**
 * CPU time (user + system, every thread of the process) per call of `op`, in microseconds, over
 * `count` sequential calls with indices `from`…`from + count - 1`. CPU time rather than wall time:
 * another process holding a core stretches wall time but not ours. The thread pool's work (Web
 * Crypto) counts too, since it is part of what a call costs.
 */
export const cpuMicrosPerCall = async (
  op: (i: number) => Promise<unknown>,
  from: number,
  count: number,
): Promise<number> => {
  const start = process.cpuUsage()
  for (let i = from; i < from + count; i++) await op(i)
  const used = process.cpuUsage(start)
  return (used.user + used.system) / count
}

export interface Interleaved {
  /** The variant's and the baseline's value in each counted round. */
  readonly variant: number[]
  readonly baseline: number[]
  /** One ratio per counted round, and their median, minimum and maximum. */
  readonly ratios: number[]
  readonly ratio: number
  readonly low: number
  readonly high: number
}

/**
 * Measures `variant` and `baseline` in alternation for `rounds` rounds (after `warmup` rounds
 * whose values are dropped). Each function measures one fixed batch and returns one number; it
 * receives the round's index (0 … warmup + rounds − 1), so a batch can take inputs nobody used
 * before. Within a round the order flips every round (A B, B A, …), so neither side always runs
 * right after the other's garbage. `ratio` turns a round's pair into the row's ratio.
 */
export const interleave = async (options: {
  readonly variant: (round: number) => Promise<number>
  readonly baseline: (round: number) => Promise<number>
  readonly ratio: (variant: number, baseline: number) => number
  readonly rounds?: number
  readonly warmup?: number
}): Promise<Interleaved> => {
  const rounds = options.rounds ?? ROUNDS
  const warmup = options.warmup ?? 1
  const variant: number[] = []
  const baseline: number[] = []
  for (let round = 0; round < warmup + rounds; round++) {
    let a: number
    let b: number
    if (round % 2 === 0) {
      a = await options.variant(round)
      b = await options.baseline(round)
    } else {
      b = await options.baseline(round)
      a = await options.variant(round)
    }
    if (round < warmup) continue
    variant.push(a)
    baseline.push(b)
  }
  const ratios = variant.map((a, i) => options.ratio(a, baseline[i]!))
  return {
    variant,
    baseline,
    ratios,
    ratio: median(ratios),
    low: Math.min(...ratios),
    high: Math.max(...ratios),
  }
}
