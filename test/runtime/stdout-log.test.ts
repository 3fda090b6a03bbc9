import { spawn } from 'node:child_process'
import { afterEach, describe, expect, it } from 'vitest'
import { CHILD_PROCESS_TIMEOUT_MS } from '../helpers/timeouts.ts'

/**
 * The stdout sinks of the Node server and FC batch their lines. These children log and then end in
 * each way a process ends — `process.exit`, a SIGTERM nobody else handles, a SIGTERM a server
 * handles with an asynchronous close, a SIGTERM from outside while lines keep coming — and every
 * line must arrive, in order, each a complete JSON line.
 */
const SINKS =
  "import { jsonLineLog, serverLineLog } from './functions/node/platform/stdout-log.ts'\n"

const children: ReturnType<typeof spawn>[] = []
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL')
})

const start = (code: string) => {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', '--input-type=module', '-e', SINKS + code],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  )
  children.push(child)
  let stdout = ''
  let stderr = ''
  child.stdout!.on('data', (d) => (stdout += d))
  child.stderr!.on('data', (d) => (stderr += d))
  const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal })),
  )
  return { child, ended, stdout: () => stdout, stderr: () => stderr }
}

/** Every line parsed; a torn or merged line fails here. */
const parsed = (stdout: string): Array<Record<string, unknown>> => {
  expect(stdout.endsWith('\n')).toBe(true)
  return stdout
    .slice(0, -1)
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>)
}

const seqs = (lines: Array<Record<string, unknown>>) => lines.map((l) => l.seq)
const upTo = (n: number) => Array.from({ length: n }, (_, i) => i)

describe('stdout log lines: batched, and none lost when the process ends', () => {
  it(
    'lines written in one turn go out in one write; the FC sink writes before the job settles',
    async () => {
      const run = start(`
        const chunks = []
        const write = process.stdout.write.bind(process.stdout)
        process.stdout.write = (chunk, ...rest) => (chunks.push(String(chunk)), write(chunk, ...rest))
        for (let seq = 0; seq < 100; seq++) serverLineLog({ seq })
        await null
        const beforeTurnEnds = chunks.length
        await new Promise((resolve) => setImmediate(resolve))
        const afterTurn = chunks.length
        for (let seq = 100; seq < 150; seq++) jsonLineLog({ seq })
        await null
        const afterJob = chunks.length
        process.stderr.write(JSON.stringify({ beforeTurnEnds, afterTurn, afterJob, sizes: chunks.map((c) => c.split('\\n').length - 1) }))
      `)
      const ended = await run.ended
      expect(ended, run.stderr()).toEqual({ code: 0, signal: null })
      expect(JSON.parse(run.stderr())).toEqual({
        beforeTurnEnds: 0,
        afterTurn: 1,
        afterJob: 2,
        sizes: [100, 50],
      })
      expect(seqs(parsed(run.stdout()))).toEqual(upTo(150))
    },
    CHILD_PROCESS_TIMEOUT_MS,
  )

  it(
    'process.exit right after logging: every line arrives',
    async () => {
      const run = start(`
        for (let seq = 0; seq < 500; seq++) serverLineLog({ seq, type: 'audit', outcome: 'ok' })
        process.exit(0)
      `)
      expect(await run.ended).toEqual({ code: 0, signal: null })
      const lines = parsed(run.stdout())
      expect(seqs(lines)).toEqual(upTo(500))
      expect(lines.every((l) => typeof l.time === 'string' && l.outcome === 'ok')).toBe(true)
    },
    CHILD_PROCESS_TIMEOUT_MS,
  )

  it(
    'SIGTERM with no handler of its own: every line arrives, and the signal still ends the process',
    async () => {
      // Logged in the check phase, so the flush they schedule waits for the next turn, which the
      // signal reaches first.
      const run = start(`
        setInterval(() => {}, 1000)
        setImmediate(() => {
          for (let seq = 0; seq < 500; seq++) serverLineLog({ seq })
          process.kill(process.pid, 'SIGTERM')
        })
      `)
      expect(await run.ended).toEqual({ code: null, signal: 'SIGTERM' })
      expect(seqs(parsed(run.stdout()))).toEqual(upTo(500))
    },
    CHILD_PROCESS_TIMEOUT_MS,
  )

  it(
    "SIGTERM a server handles with an asynchronous close: lines before and during the close arrive, and the server's exit stands",
    async () => {
      const run = start(`
        setInterval(() => {}, 1000)
        process.once('SIGTERM', () => {
          serverLineLog({ seq: 300 })
          setTimeout(() => {
            serverLineLog({ seq: 301 })
            process.exit(3)
          }, 20)
        })
        setImmediate(() => {
          for (let seq = 0; seq < 300; seq++) serverLineLog({ seq })
          process.kill(process.pid, 'SIGTERM')
        })
      `)
      expect(await run.ended).toEqual({ code: 3, signal: null })
      expect(seqs(parsed(run.stdout()))).toEqual(upTo(302))
    },
    CHILD_PROCESS_TIMEOUT_MS,
  )

  it(
    'SIGTERM from outside while lines keep coming: every line logged before it arrives',
    async () => {
      // The count goes to stderr synchronously after each burst: what was logged when the signal came.
      const run = start(`
        let seq = 0
        setInterval(() => {
          for (let i = 0; i < 10; i++) serverLineLog({ seq: seq++ })
          process.stderr.write(seq + '\\n')
        }, 1)
      `)
      await new Promise<void>((resolve) => {
        const check = () => {
          if (Number(run.stderr().trim().split('\n').at(-1)) >= 200) resolve()
        }
        run.child.stderr!.on('data', check)
      })
      run.child.kill('SIGTERM')
      expect(await run.ended).toEqual({ code: null, signal: 'SIGTERM' })
      const logged = Number(run.stderr().trim().split('\n').at(-1))
      expect(seqs(parsed(run.stdout()))).toEqual(upTo(logged))
    },
    CHILD_PROCESS_TIMEOUT_MS,
  )
})
