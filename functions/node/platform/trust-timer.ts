import type { Credvend } from '../../../lib/credvend.ts'
import type { LogSink } from '../../../lib/log.ts'

/**
 * How often the Node server asks the partner trust watch whether a run is due. The watch decides
 * (its config's `intervalSeconds`, reloads included), so a run starts at most this late.
 */
export const TRUST_TICK_MS = 10_000

/** The timers the server uses; tests hand in their own. */
export interface Timers {
  readonly setInterval: (tick: () => void, ms: number) => { unref?: () => unknown }
  readonly clearInterval: (timer: never) => void
}

/**
 * The partner trust watch's driver on Node: asks once at start, then every TRUST_TICK_MS. The
 * timer never keeps the process alive. Returns the stop function.
 */
export const startTrustTimer = (
  credvend: Pick<Credvend, 'checkPartnerTrust'>,
  log: LogSink,
  timers: Timers = globalThis as unknown as Timers,
): (() => void) => {
  const tick = () =>
    void credvend
      .checkPartnerTrust()
      .catch(() => log({ type: 'partner-trust', event: 'run-failed', level: 'warn' }))
  tick()
  const timer = timers.setInterval(tick, TRUST_TICK_MS)
  timer.unref?.()
  return () => timers.clearInterval(timer as never)
}
