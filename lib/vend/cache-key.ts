/**
 * What a cached vend depends on: change any part and it is a different entry. The profile's role
 * and ExternalIds are not spelled out: both are part of the configuration generation's digest
 * (its rules and its resolved secrets), so within a generation the profile name stands for them,
 * and every cached caller saves their hundred-odd characters. Newline-joined: no part can contain
 * a newline (ids, names and hex are all single-line). One template literal, so a hit builds the
 * key without an intermediate array or object.
 * @internal
 */
export const vendCacheKey = (
  generation: string,
  callerId: string,
  profile: string,
  policySha256: string,
  durationSeconds: number,
): string => `${generation}\n${callerId}\n${profile}\n${policySha256}\n${durationSeconds}`
