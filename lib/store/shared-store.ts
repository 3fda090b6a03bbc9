/**
 * What credvend needs from a store shared by its instances (Redis on Node and FC). Names arrive
 * already HMAC'd and values already sealed; time-based decisions use the store's own clock, so
 * instances whose clocks disagree still agree on windows. Every method rejects when the store is
 * unreachable or slow; callers then fall back to per-instance state.
 * @public
 */
export interface SharedStore {
  /** The values under `names`, null where absent. */
  get(names: readonly string[]): Promise<(string | null)[]>
  set(name: string, value: string, ttlMs: number): Promise<void>
  /** Sets `name` only if absent; true when this call set it. */
  setIfAbsent(name: string, value: string, ttlMs: number): Promise<boolean>
  /** Deletes `name` if it still holds `value` (a lock released only by its owner). */
  deleteIfEquals(name: string, value: string): Promise<void>
  /**
   * One request against a GCRA limit kept under `name`: undefined when admitted, else the whole
   * seconds until it would be.
   */
  takeRate(name: string, intervalMs: number, toleranceMs: number): Promise<number | undefined>
  /**
   * A start slot in a sliding window of `perSecond` starts per `spacingMs`: each slot is at least
   * `spacingMs` after the one `perSecond` places before it. Granted when the slot is at most
   * `maxWaitMs` away (and then recorded); `waitMs` is measured from the store's now.
   */
  reserveSlot(
    name: string,
    perSecond: number,
    spacingMs: number,
    maxWaitMs: number,
  ): Promise<{ readonly granted: boolean; readonly waitMs: number }>
}
