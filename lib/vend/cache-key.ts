/** What a cached vend depends on: change any part and it is a different entry. @internal */
export interface VendCacheKeyParts {
  readonly generation: string
  readonly callerId: string
  readonly profile: string
  readonly roleArn: string
  readonly externalIdHash: string
  readonly policySha256: string
  readonly durationSeconds: number
}

/** Newline-joined: no part can contain a newline (ids, ARNs and hex are all single-line). @internal */
export const vendCacheKey = (p: VendCacheKeyParts): string =>
  [
    p.generation,
    p.callerId,
    p.profile,
    p.roleArn,
    p.externalIdHash,
    p.policySha256,
    p.durationSeconds,
  ].join('\n')
