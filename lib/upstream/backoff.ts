/**
 * Capped exponential backoff with full jitter (AWS architecture blog, "Exponential Backoff And
 * Jitter"): a uniform draw in [0, min(cap, base·2^attempt)). Pure: the random draw is injected.
 * @internal
 */
export const fullJitterDelay = (
  attempt: number,
  baseMs: number,
  capMs: number,
  random: () => number,
): number => Math.floor(random() * Math.min(capMs, baseMs * 2 ** attempt))
