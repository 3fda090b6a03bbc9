import { spawnSync } from 'node:child_process'
import { describe } from 'vitest'

/** Marker in suite names that the system-deps reporter counts for its banner. */
export const NEEDS_MARKER = '[needs '

/** What to do about a suite whose system dependency may be missing. */
export const systemDepDecision = (available: boolean, ci: boolean): 'run' | 'skip' | 'fail' =>
  available ? 'run' : ci ? 'fail' : 'skip'

/** True when `command --version` (or the given args) runs and exits 0. */
export const commandAvailable = (command: string, args: readonly string[] = ['--version']) =>
  spawnSync(command, args, { stdio: 'ignore', timeout: 10_000 }).status === 0

/**
 * `describe` for a suite that needs a program from Debian (chromium, redis-server, …).
 * With CI=true a missing program fails the run; locally the suite is skipped and the
 * system-deps reporter prints a banner counting every test skipped this way.
 */
export const describeWithSystemDep = (
  dependency: string,
  available: boolean,
  name: string,
  body: () => void,
): void => {
  const decision = systemDepDecision(available, process.env.CI === 'true')
  const title = `${NEEDS_MARKER}${dependency}] ${name}`
  if (decision === 'fail') {
    describe(title, () => {
      throw new Error(
        `${dependency} is not installed and CI=true: .ci/run must install it (apt-get install ${dependency})`,
      )
    })
    return
  }
  describe.skipIf(decision === 'skip')(title, body)
}
