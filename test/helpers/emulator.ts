import { startLocalEmulator } from '../../functions/node/cli/local/local-emulator.ts'

/**
 * The embedded emulator on an ephemeral loopback port with a clock the test steers. The clock
 * follows real time plus an offset, because the official SDKs stamp requests with the real time;
 * shifting it is how tests make timestamps stale or tokens expired without waiting.
 */
export const startTestEmulator = async () => {
  let offsetMs = 0
  const now = () => new Date(Date.now() + offsetMs)
  const emulator = await startLocalEmulator({ now })
  return {
    ...emulator,
    now,
    clock: {
      shift: (ms: number) => void (offsetMs = ms),
      reset: () => void (offsetMs = 0),
    },
  }
}

export type TestEmulator = Awaited<ReturnType<typeof startTestEmulator>>
