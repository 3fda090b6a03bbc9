import { EXIT } from '../exit-codes.ts'

type CheckStatus = 'ok' | 'warn' | 'fail' | 'skipped'

/** One line of `credvend doctor`'s verdict, and the `--json` object it prints for it. */
export interface DoctorCheck {
  readonly name: string
  readonly status: CheckStatus
  /** What was found; names, endpoints and masked ids only — never a secret, token or upstream body. */
  readonly detail: string
  /** What to do about it, one line; null when there is nothing to do. */
  readonly fix: string | null
  /** An upstream did not answer: the exit status tells that apart from a failed check. */
  readonly unreachable?: true
}

/** Unreachable upstream (3) outranks a failed check (1), so a script can retry the former. */
export const doctorExitCode = (checks: readonly DoctorCheck[]): number =>
  checks.some((c) => c.unreachable)
    ? EXIT.unreachable
    : checks.some((c) => c.status === 'fail')
      ? EXIT.failed
      : EXIT.ok
