type Labels = Readonly<Record<string, string>>

const escape = (value: string) =>
  value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')
const labelText = (labels: Labels) => {
  const pairs = Object.entries(labels).map(([k, v]) => `${k}="${escape(v)}"`)
  return pairs.length === 0 ? '' : `{${pairs.join(',')}}`
}
/** `le` joins the series' own labels inside one pair of braces. */
const withLe = (series: string, le: string) =>
  series === '' ? `{le="${le}"}` : `${series.slice(0, -1)},le="${le}"}`

interface Family {
  readonly lines: () => string[]
}

/**
 * A small Prometheus registry (text format 0.0.4): counters and histograms keyed by label set,
 * and series read when scraped. Label values are credvend's own codes and names, never a
 * caller's input, so the number of series stays bounded.
 * @public
 */
export const createMetrics = () => {
  const families: Family[] = []
  const header = (name: string, help: string, type: string) => [
    `# HELP ${name} ${help}`,
    `# TYPE ${name} ${type}`,
  ]
  return {
    counter(name: string, help: string) {
      const values = new Map<string, number>()
      families.push({
        lines: () => [
          ...header(name, help, 'counter'),
          ...[...values].map(([series, n]) => `${name}${series} ${n}`),
        ],
      })
      const inc = (series: string, by: number) => values.set(series, (values.get(series) ?? 0) + by)
      return {
        inc: (labels: Labels = {}, by = 1) => inc(labelText(labels), by),
        /** A handle bound to one label set, for hot paths: no label formatting per call. */
        series: (labels: Labels) => {
          const series = labelText(labels)
          return (by = 1) => inc(series, by)
        },
      }
    },
    /** `buckets` are upper bounds in seconds, ascending. */
    histogram(name: string, help: string, buckets: readonly number[]) {
      const series = new Map<string, { counts: number[]; sum: number; count: number }>()
      families.push({
        lines: () => [
          ...header(name, help, 'histogram'),
          ...[...series].flatMap(([labels, s]) => {
            let cumulative = 0
            return [
              ...buckets.map(
                (le, i) =>
                  `${name}_bucket${withLe(labels, String(le))} ${(cumulative += s.counts[i]!)}`,
              ),
              `${name}_bucket${withLe(labels, '+Inf')} ${s.count}`,
              `${name}_sum${labels} ${s.sum}`,
              `${name}_count${labels} ${s.count}`,
            ]
          }),
        ],
      })
      const observer = (key: string) => {
        let s = series.get(key)
        if (!s) series.set(key, (s = { counts: buckets.map(() => 0), sum: 0, count: 0 }))
        const found = s
        return (seconds: number) => {
          const i = buckets.findIndex((le) => seconds <= le)
          if (i >= 0) found.counts[i]!++
          found.sum += seconds
          found.count++
        }
      }
      return {
        observe: (labels: Labels, seconds: number) => observer(labelText(labels))(seconds),
        /** A handle bound to one label set, for hot paths. */
        series: (labels: Labels) => observer(labelText(labels)),
      }
    },
    /** A series read when scraped: a gauge, or a counter kept elsewhere. */
    sampled(
      name: string,
      help: string,
      type: 'gauge' | 'counter',
      read: () => number | ReadonlyArray<readonly [Labels, number]>,
    ) {
      families.push({
        lines: () => {
          const value = read()
          const samples = typeof value === 'number' ? [[{}, value] as const] : value
          return [
            ...header(name, help, type),
            ...samples.map(([labels, n]) => `${name}${labelText(labels)} ${n}`),
          ]
        },
      })
    },
    render: () => `${families.flatMap((f) => f.lines()).join('\n')}\n`,
  }
}

/** @public */
export type Metrics = ReturnType<typeof createMetrics>

/** Latency buckets from half a millisecond (a cache hit) to the upstream deadline. @public */
export const LATENCY_BUCKETS = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
] as const
