/**
 * What a cached vend depends on: change any part and it is a different entry. Newline-joined: no
 * part can contain a newline (ids, ARNs and hex are all single-line). One template literal, so a
 * hit builds the key without an intermediate array or object.
 * @internal
 */
export const vendCacheKey = (
  generation: string,
  callerId: string,
  profile: string,
  roleArn: string,
  externalIdHash: string,
  policySha256: string,
  durationSeconds: number,
): string =>
  `${generation}\n${callerId}\n${profile}\n${roleArn}\n${externalIdHash}\n${policySha256}\n${durationSeconds}`
