import { createSealer, type Sealer, type SealingKey } from './sealer.ts'
import type { SharedStore } from './shared-store.ts'

/** Returned instead of an answer while the store is unreachable: the caller goes per-instance. */
export const DOWN = Symbol('shared store down')
/** @internal */
type Down = typeof DOWN

/** After a failure, requests skip the store this long, so an outage costs no timeout per request. */
const RETRY_AFTER_MS = 1_000

/**
 * The shared store as credvend uses it: sealed values under HMAC'd names, and outage handling in
 * one place — any failure marks the store down for a second, during which every operation
 * answers DOWN at once; the next attempt after that finds out whether it is back.
 * @internal
 */
const createSharedState = (init: {
  readonly store: SharedStore
  readonly sealer: Sealer
  readonly prefix: string
  /** A monotonic clock (ms) for the outage back-off. */
  readonly elapsedMs: () => number
}) => {
  const { store, sealer, prefix } = init
  let downUntilMs = 0
  let up = true
  const counts = { outages: 0, tampered: 0, unknownKey: 0 }
  const attempt = async <T>(work: () => Promise<T>): Promise<T | Down> => {
    if (init.elapsedMs() < downUntilMs) return DOWN
    try {
      const result = await work()
      up = true
      return result
    } catch {
      downUntilMs = init.elapsedMs() + RETRY_AFTER_MS
      if (up) counts.outages++
      up = false
      return DOWN
    }
  }
  return {
    /** Whether the last operation reached the store; outages and refused values so far. */
    stats: () => ({ up, ...counts }),
    /** The plaintext sealed under `key`, undefined when absent or refused (tampered, unknown key). */
    read: (kind: string, key: string) =>
      attempt(async () => {
        const names = await sealer.names(key)
        const values = await store.get(names.map((n) => `${prefix}${kind}:${n}`))
        const sealed = values.find((v) => v !== null)
        if (sealed === undefined || sealed === null) return undefined
        const opened = await sealer.open(sealed, `${kind}\n${key}`)
        if ('plaintext' in opened) return opened.plaintext
        // Never served: a value moved from another key, altered, or sealed by a key not configured here.
        if (opened.failure === 'tampered') counts.tampered++
        else counts.unknownKey++
        return undefined
      }),
    write: (kind: string, key: string, plaintext: string, ttlMs: number) =>
      attempt(async () =>
        store.set(
          `${prefix}${kind}:${await sealer.name(key)}`,
          await sealer.seal(plaintext, `${kind}\n${key}`),
          Math.max(1, Math.ceil(ttlMs)),
        ),
      ),
    /** A lock on `key` for `ttlMs`: the owner token when taken, false when someone holds it. */
    lock: (key: string, ttlMs: number, owner: string) =>
      attempt(async () => {
        const name = `${prefix}lock:${await sealer.name(key)}`
        return (await store.setIfAbsent(name, owner, Math.max(1, Math.ceil(ttlMs))))
          ? { release: () => attempt(() => store.deleteIfEquals(name, owner)) }
          : false
      }),
    /** True the first time `key` is claimed within `ttlMs` across every instance. */
    claim: (key: string, ttlMs: number) =>
      attempt(async () =>
        store.setIfAbsent(`${prefix}nonce:${await sealer.name(key)}`, '1', ttlMs),
      ),
    takeRate: (limit: string, key: string, intervalMs: number, toleranceMs: number) =>
      attempt(async () =>
        store.takeRate(`${prefix}rate:${limit}:${await sealer.name(key)}`, intervalMs, toleranceMs),
      ),
    reserveSlot: (perSecond: number, spacingMs: number, maxWaitMs: number) =>
      attempt(() => store.reserveSlot(`${prefix}sts-governor`, perSecond, spacingMs, maxWaitMs)),
  }
}

/** @internal */
export type SharedState = ReturnType<typeof createSharedState>

/** The shared state for a configured store: sealing keys derived once, at start. @public */
export const openSharedState = async (
  store: SharedStore,
  settings: { readonly keys: readonly SealingKey[]; readonly keyPrefix: string },
  elapsedMs: () => number,
) =>
  createSharedState({
    store,
    sealer: await createSealer(settings.keys),
    prefix: settings.keyPrefix,
    elapsedMs,
  })
