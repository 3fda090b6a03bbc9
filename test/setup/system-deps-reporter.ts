import type { Reporter, TestModule } from 'vitest/node'
import { NEEDS_MARKER } from '../helpers/system-deps.ts'

/**
 * Prints a loud banner when tests were skipped because a system program is missing locally, and
 * a plain `N passed, N failed, N skipped` line last, which CI reads whatever the runner.
 */
export default class SystemDepsReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    this.banner(testModules)
    const counts = { passed: 0, failed: 0, skipped: 0, pending: 0 }
    for (const module of testModules) {
      for (const test of module.children.allTests()) counts[test.result().state] += 1
    }
    console.log(
      `\nvitest: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped + counts.pending} skipped`,
    )
  }

  private banner(testModules: ReadonlyArray<TestModule>): void {
    const skipped = new Map<string, number>()
    for (const module of testModules) {
      for (const test of module.children.allTests()) {
        if (test.result().state !== 'skipped') continue
        const match = test.fullName.match(/\[needs ([^\]]+)\]/)
        if (!match || !test.fullName.includes(NEEDS_MARKER)) continue
        skipped.set(match[1]!, (skipped.get(match[1]!) ?? 0) + 1)
      }
    }
    if (skipped.size === 0) return
    const total = [...skipped.values()].reduce((a, b) => a + b, 0)
    const lines = [...skipped].map(
      ([dep, n]) => `  ${n} test(s) need ${dep}: apt-get install ${dep}`,
    )
    const bar = '!'.repeat(72)
    console.warn(
      `\n${bar}\n  SKIPPED ${total} TEST(S): missing system programs (CI=true would fail)\n${lines.join('\n')}\n${bar}\n`,
    )
  }
}
