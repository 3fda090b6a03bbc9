/**
 * Coalesces concurrent work per key: while one call is in flight, callers with the same key share
 * its promise, which is dropped once it settles. With `sharePending: false` (Workers, which may
 * not await another request's promise — jose issues #355, #509) every call runs on its own.
 * @internal
 */
export const createSingleFlight = <T>(options: { sharePending: boolean }) => {
  const pending = new Map<string, Promise<T>>()
  return {
    run(key: string, work: () => Promise<T>): Promise<T> {
      if (!options.sharePending) return work()
      const existing = pending.get(key)
      if (existing) return existing
      const promise = work().finally(() => pending.delete(key))
      pending.set(key, promise)
      return promise
    },
    /** Whether work for `key` is running now (always false without sharing). */
    running: (key: string) => pending.has(key),
    get inFlight() {
      return pending.size
    },
  }
}
