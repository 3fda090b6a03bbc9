import type { LogSink } from '../../../lib/log.ts'
import { createLineBatch } from './line-batch.ts'

/**
 * JSON lines on stdout, what log collectors on FC and servers expect, written in batches: a write
 * per line costs a system call each, a large share of a cache hit's time. Both sinks below share
 * one batch, so lines keep their order whichever sink wrote them.
 */
const batch = createLineBatch((text) => void process.stdout.write(text))

/** One object per line, the time first; an entry's own `time`, if any, comes later and wins. */
const toLine = (entry: Readonly<Record<string, unknown>>): string => {
  const time = new Date().toISOString()
  const json = JSON.stringify(entry)
  return json.length > 2 ? `{"time":"${time}",${json.slice(1)}\n` : `{"time":"${time}"}\n`
}

let hooked = false
/**
 * Nothing held may be lost when the process ends: `exit` covers `process.exit` and a natural end
 * (stdout to a pipe or file is written synchronously on Linux), and SIGTERM and SIGINT flush
 * first. When nothing else handles the signal, the listener steps aside and raises it again, so
 * the process still ends the way the signal's default would end it.
 */
const hookShutdown = () => {
  hooked = true
  process.on('beforeExit', batch.flush)
  process.on('exit', batch.flush)
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    const onSignal = () => {
      batch.flush()
      if (process.listenerCount(signal) > 1) return
      process.removeListener(signal, onSignal)
      process.kill(process.pid, signal)
    }
    // First in line, so other listeners are still registered when it counts them.
    process.prependListener(signal, onSignal)
  }
}

let soon = false
const flushSoon = () => {
  soon = false
  batch.flush()
}

/**
 * Lines out before the current job's promises settle: FC may freeze an instance as soon as an
 * invocation has answered, so a line must not wait for a later turn of the event loop. Lines
 * logged together within one job still go out in one write.
 */
export const jsonLineLog: LogSink = (entry) => {
  if (!hooked) hookShutdown()
  batch.add(toLine(entry))
  if (soon) return
  soon = true
  queueMicrotask(flushSoon)
}

let later = false
const flushLater = () => {
  later = false
  batch.flush()
}

/**
 * A long-running server's lines: everything logged in one turn of the event loop (every request
 * answered in it) goes out in one write, after the turn's I/O callbacks.
 */
export const serverLineLog: LogSink = (entry) => {
  if (!hooked) hookShutdown()
  batch.add(toLine(entry))
  if (later) return
  later = true
  setImmediate(flushLater)
}
