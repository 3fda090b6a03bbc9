import type { Caller } from '../auth/caller.ts'
import { profileLane } from '../upstream/fair-lanes.ts'

/**
 * The STS lane a caller's cache misses queue in: its JWT issuer, its API key, or its Alibaba
 * account — the authority that can mint new callers, so one authority's flood of fresh subjects
 * stays in one lane. Names come from configuration, so metric labels stay bounded.
 */
const callerLane = (caller: Caller): string =>
  caller.kind === 'jwt'
    ? `jwt:${caller.authority}`
    : caller.kind === 'apiKey'
      ? `key:${caller.authority}`
      : `alibaba:${String(caller.claims.account)}`

/**
 * The STS lane of a vend's cache miss: a profile given a minimum share (`sts.lanes.priority`)
 * queues in its own lane, `profile:<name>`, whoever asks; every other in its caller's.
 * @internal
 */
export const vendLane = (
  caller: Caller,
  profile: string,
  priority: Readonly<Record<string, number>>,
): string => (Object.hasOwn(priority, profile) ? profileLane(profile) : callerLane(caller))
