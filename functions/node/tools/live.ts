/**
 * `npm run test:live` (never in CI): runs the conformance cases of the emulator's faithfulness
 * table against the real Alibaba account an operator names in the environment, and prints which
 * assumptions hold. Without what it needs it explains itself and exits 2 before any network call.
 * Exit 0: every case that ran holds; 1: one differs or got no answer.
 */
import { createNodeDeps } from '../platform/deps.ts'
import { readLiveTarget } from './live/live-target.ts'
import { liveUsage } from './live/live-usage.ts'
import { runLiveCases } from './live/run-live-cases.ts'

const read = readLiveTarget(process.env)
if (!read.ok) {
  process.stderr.write(liveUsage(read))
  process.exitCode = 2
} else {
  const { target } = read
  // Nothing secret here: endpoints and the role's ARN only.
  console.log(
    `credvend live check — STS ${target.stsEndpoint.origin}, KMS ${target.kmsEndpoint.origin}, role ${target.roleArn}`,
  )
  process.exitCode = await runLiveCases({ target, deps: createNodeDeps() }, (line) =>
    console.log(line),
  )
}
