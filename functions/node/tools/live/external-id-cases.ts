import { expectAccepted, expectRefused } from './expect-answer.ts'
import type { LiveCase, LiveContext } from './live-case.ts'
import { assumeLiveRole } from './live-calls.ts'

const REFUSAL_ROW = 'Missing or wrong ExternalId → `NoPermission` (403)'
const KEY_ROW = 'ExternalId condition key `sts:ExternalId` under `StringEquals`'

/** Well-formed, so a refusal can only come from the trust policy, never from the format check. */
const wrongExternalId = (ctx: LiveContext) => `cv-wrong-${ctx.deps.randomId()}`

/**
 * Group 1: the role's trust policy, written with the presumed condition key, must refuse
 * AssumeRole without an ExternalId and with a wrong one, and accept the right one. Only the three
 * together confirm the key: a policy whose condition STS ignored would accept all three.
 */
export const externalIdCases: readonly LiveCase[] = [
  {
    id: 'external-id/absent',
    row: REFUSAL_ROW,
    run: async (ctx) =>
      expectRefused(await assumeLiveRole(ctx, { ExternalId: undefined }), 'NoPermission'),
  },
  {
    id: 'external-id/wrong',
    row: REFUSAL_ROW,
    run: async (ctx) =>
      expectRefused(
        await assumeLiveRole(ctx, { ExternalId: wrongExternalId(ctx) }),
        'NoPermission',
      ),
  },
  {
    id: 'external-id/right',
    row: KEY_ROW,
    run: async (ctx) => expectAccepted(await assumeLiveRole(ctx)),
  },
]
