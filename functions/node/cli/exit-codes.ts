/**
 * What `credvend`'s exit status means, the same for every command, so a script can tell a bad
 * invocation from a failed check from a network problem.
 */
export const EXIT = {
  ok: 0,
  /** A check found a problem, or a server refused the request (config invalid, drift, denied). */
  failed: 1,
  /** The command line is wrong: unknown command or flag, a missing argument, an unreadable file. */
  usage: 2,
  /** An upstream (credvend, STS, KMS, a JWKS endpoint) could not be reached or timed out. */
  unreachable: 3,
  /** Anything else: a bug, or a failure credvend did not expect. */
  internal: 4,
} as const

export const EXIT_CODES_HELP = `exit status:
  0  ok
  1  a check failed, or the server refused the request
  2  usage: unknown command or flag, missing argument, unreadable file
  3  an upstream (credvend, STS, KMS, a JWKS endpoint) is unreachable or timed out
  4  unexpected failure`
