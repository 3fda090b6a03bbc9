import * as z from '../zod.ts'
import { DOWN, type SharedState } from '../store/shared-state.ts'
import type { VendEntry } from './vend-entry.ts'

/** A sealed entry is authenticated, but still parsed: it crossed a process boundary. */
const entryJson = z.strictObject({
  generation: z.string(),
  profile: z.string(),
  callerId: z.string(),
  result: z.strictObject({
    accessKeyId: z.string(),
    accessKeySecret: z.string(),
    securityToken: z.string(),
    expiration: z.number().check(z.int()),
    roleSessionName: z.string(),
    roleArn: z.string(),
    policySha256: z.nullable(z.string()),
    durationSeconds: z.number().check(z.int()),
    stsRequestId: z.nullable(z.string()),
  }),
})

const toJson = (e: VendEntry): string =>
  JSON.stringify({
    ...e,
    result: {
      ...e.result,
      expiration: e.result.expiration.getTime(),
      policySha256: e.result.policySha256 ?? null,
      stsRequestId: e.result.stsRequestId ?? null,
    },
  })

const fromJson = (text: string): VendEntry | undefined => {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    return undefined
  }
  const parsed = entryJson.safeParse(json)
  if (!parsed.success) return undefined
  const { result, ...rest } = parsed.data
  return {
    ...rest,
    result: {
      ...result,
      expiration: new Date(result.expiration),
      policySha256: result.policySha256 ?? undefined,
      stsRequestId: result.stsRequestId ?? undefined,
    },
  }
}

/** While another instance fills a key, this one looks again this often. */
const POLL_MS = 50

/**
 * Vended credentials shared by every instance: read through, filled by one instance at a time (a
 * lock in the store with the deadline as its lifetime, so a crashed filler frees it), the others
 * waiting for its entry. Whenever the store is down, this instance fills on its own.
 * @internal
 */
export const createSharedVends = (init: {
  readonly shared: SharedState
  readonly now: () => Date
  readonly sleep: (ms: number) => Promise<void>
  readonly deadlineMs: () => number
}) => {
  const { shared } = init
  const get = async (key: string): Promise<VendEntry | undefined> => {
    const text = await shared.read('vend', key)
    return text === DOWN || text === undefined ? undefined : fromJson(text)
  }
  const put = async (key: string, entry: VendEntry) => {
    const ttlMs = entry.result.expiration.getTime() - init.now().getTime()
    if (ttlMs > 0) await shared.write('vend', key, toJson(entry), ttlMs)
  }
  const owner = () => crypto.randomUUID()
  return {
    get,
    /** `compute` under the store's lock, or the entry another instance computed meanwhile. */
    async fill(
      key: string,
      compute: () => Promise<VendEntry>,
      usable: (e: VendEntry) => boolean,
    ): Promise<{ entry: VendEntry; shared: boolean }> {
      const run = async (release?: () => Promise<unknown>) => {
        try {
          // Another instance may have filled it between our read and our lock.
          const found = release ? await get(key) : undefined
          if (found && usable(found)) return { entry: found, shared: true }
          const entry = await compute()
          await put(key, entry)
          return { entry, shared: false }
        } finally {
          await release?.()
        }
      }
      const lockMs = init.deadlineMs()
      for (let waited = 0; waited < lockMs; waited += POLL_MS) {
        const lock = await shared.lock(key, lockMs, owner())
        if (lock === DOWN) return run()
        if (lock) return run(lock.release)
        await init.sleep(POLL_MS)
        const found = await get(key)
        if (found && usable(found)) return { entry: found, shared: true }
      }
      // The filler took longer than any deadline allows: fill here rather than fail.
      return run()
    },
  }
}

/** @internal */
export type SharedVends = ReturnType<typeof createSharedVends>
