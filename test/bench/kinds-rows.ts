import { cpuMicrosPerCall, interleave, median } from './measure.ts'
import { KINDS, startKinds, type Kind } from './kinds-setup.ts'
import { addRow, attempt, micros, percent, spreadOf } from './table.ts'

/** Calls per batch: 100–300 ms of CPU, so one garbage collection is a small share of a batch. */
const BATCH = 4000

/**
 * Each profile kind's cache hit through `app.request` against a bare Hono route
 * answering the same JSON, CPU time per request, interleaved. The ratio is the share of the bare
 * route's throughput the vend keeps (bare CPU per request / vend CPU per request).
 */
export const kindsInProcessRows = async () => {
  const kinds = await startKinds()
  try {
    for (const kind of Object.keys(KINDS) as Kind[]) {
      await attempt(`cache hit, ${KINDS[kind]} (app.request)`, async () => {
        const path = `/v1/credentials/${kind}`
        const vend = async () => {
          const res = await kinds.app.request(path, { headers: kinds.headers })
          if (res.status !== 200) throw new Error(`${kind} answered ${res.status}`)
          await res.text()
        }
        const bare = async () => {
          const res = await kinds.bare.request(path, { headers: kinds.headers })
          await res.text()
        }
        const r = await interleave({
          variant: () => cpuMicrosPerCall(vend, 0, BATCH),
          baseline: () => cpuMicrosPerCall(bare, 0, BATCH),
          ratio: (vendUs, bareUs) => bareUs / vendUs,
        })
        addRow({
          what: `cache hit, ${KINDS[kind]} (app.request, CPU time)`,
          baseline: `bare Hono route, same JSON: ${micros(median(r.baseline))} CPU/request`,
          measured: `${micros(median(r.variant))} CPU/request`,
          ratio: `${percent(r.ratio)} of its throughput`,
          spread: spreadOf(r, percent),
          budget: '≥ 50 % (stretch 60 %)',
          ok: r.ratio >= 0.5,
        })
      })
    }
  } finally {
    await kinds.close()
  }
}
