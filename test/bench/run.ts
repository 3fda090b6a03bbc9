/**
 * `npm run bench`: the budgets, each as a ratio against a baseline measured in this same run,
 * variant and baseline interleaved round by round (test/bench/measure.ts). Prints a table and
 * exits 1 if a budget is missed or a row could not be measured. Never part of `npm test`.
 */
import { cpus, loadavg } from 'node:os'
import { coldRows, workerSizeRow } from './cold-rows.ts'
import { kindsHttpRows } from './kinds-http.ts'
import { kindsInProcessRows } from './kinds-rows.ts'
import { ROUNDS } from './measure.ts'
import { memoryRow, stsCallRows } from './state-rows.ts'
import { allMet, attempt, printTable } from './table.ts'
import { firstSightRow, hotCallerRow, missRow } from './vend-rows.ts'

// A stray rejection must not end the run before the table: it is reported, and the run fails.
let stray = 0
process.on('unhandledRejection', (error) => {
  stray++
  console.log(`unhandled rejection: ${error instanceof Error ? error.stack : String(error)}`)
})

const started = performance.now()
const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')
const loadAtStart = load()

// Cold starts first: their STS emulator runs in this process, whose heap the other rows grow
// (10,000 cached callers and more), and a major GC here would stall an answer a spawn waits for.
await attempt('FC code package and cold start', coldRows)
await attempt('cache hits by profile kind, in process', kindsInProcessRows)
await attempt('hot caller among 10,000 cached', hotCallerRow)
await attempt('cache miss, STS answered instantly', missRow)
await attempt('first sight of a JWT', firstSightRow)
await attempt('memory per cached caller', memoryRow)
await attempt('STS calls under concurrency', stsCallRows)
await attempt('cache hits by profile kind, over HTTP', kindsHttpRows)
await attempt('Workers bundle', workerSizeRow)

console.log()
printTable()
const seconds = (performance.now() - started) / 1000
console.log(
  `\nnode ${process.version}, ${cpus().length} cores, ${ROUNDS} counted rounds per interleaved row, ` +
    `${seconds.toFixed(0)} s; load average (1, 5, 15 min) ${loadAtStart} at the start, ${load()} at the end` +
    (stray ? `; ${stray} unhandled rejection(s)` : ''),
)
process.exit(allMet() && stray === 0 ? 0 : 1)
