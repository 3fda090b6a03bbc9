import { expectAccepted, expectRefused } from './expect-answer.ts'
import type { LiveCase } from './live-case.ts'
import { assumeLiveRole } from './live-calls.ts'

const NAME_ROW = 'AssumeRole parameters: RoleSessionName 2–64 `[A-Za-z0-9.@_-]`'
const POLICY_ROW = 'Session policy ≤ 2,047 UTF-8 bytes'

/** A session name of exactly `length` characters that uses every punctuation mark allowed. */
const sessionName = (length: number) =>
  'cv.live@check_-'.padEnd(length, '0123456789').slice(0, length)

/**
 * A grammatical session policy of exactly `bytes` UTF-8 bytes, minified, padded inside one
 * Resource (ASCII, so bytes and characters agree — the old and current docs differ on which).
 */
export const policyOfBytes = (bytes: number): string => {
  const render = (pad: string) =>
    JSON.stringify({
      Version: '1',
      Statement: [
        {
          Effect: 'Allow',
          Action: 'oss:GetObject',
          Resource: `acs:oss:*:*:credvend-live-check/${pad}`,
        },
      ],
    })
  return render('p'.repeat(bytes - render('').length))
}

const nameCase = (id: string, name: string, accepted: boolean): LiveCase => ({
  id: `session-name/${id}`,
  row: NAME_ROW,
  run: async (ctx) => {
    const answer = await assumeLiveRole(ctx, { RoleSessionName: name })
    return accepted
      ? expectAccepted(answer)
      : expectRefused(answer, 'InvalidParameter.RoleSessionName')
  },
})

const policyCase = (bytes: number, accepted: boolean): LiveCase => ({
  id: `session-policy/${bytes}-bytes`,
  row: POLICY_ROW,
  run: async (ctx) => {
    const answer = await assumeLiveRole(ctx, { Policy: policyOfBytes(bytes) })
    return accepted ? expectAccepted(answer) : expectRefused(answer, 'InvalidParameter.PolicySize')
  },
})

/**
 * Group 3. The emulator follows the current doc (names up to 64) while credvend itself emits at
 * most 32 (the old doc's limit), so 33 and 64 are the lines that tell which doc real STS follows.
 */
export const limitCases: readonly LiveCase[] = [
  nameCase('32-chars', sessionName(32), true),
  nameCase('33-chars', sessionName(33), true),
  nameCase('64-chars', sessionName(64), true),
  nameCase('65-chars', sessionName(65), false),
  nameCase('bad-chars', 'cv live/check', false),
  policyCase(2047, true),
  policyCase(2048, false),
]
