import type { Caller } from '../auth/caller.ts'

/**
 * The STS lane a caller's cache misses queue in: its JWT issuer, its API key, or its Alibaba
 * account — the authority that can mint new callers, so one authority's flood of fresh subjects
 * stays in one lane. Names come from configuration, so metric labels stay bounded.
 * @internal
 */
export const callerLane = (caller: Caller): string =>
  caller.kind === 'jwt'
    ? `jwt:${caller.authority}`
    : caller.kind === 'apiKey'
      ? `key:${caller.authority}`
      : `alibaba:${String(caller.claims.account)}`
