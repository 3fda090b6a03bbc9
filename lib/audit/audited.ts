import { isVendError } from '../errors.ts'
import type { LogSink } from '../log.ts'
import type { CredvendMetrics } from '../metrics/credvend-metrics.ts'

/** What a piece of audited work hands back besides its answer. @internal */
export interface AuditedResult {
  /** hit, shared, miss or stale; none when the work keeps no cache. */
  readonly cache: string
  /** Fields of the `ok` audit line (never a secret). */
  readonly audit: Readonly<Record<string, unknown>>
}

/**
 * The one wrapper every caller-facing operation goes through: the caller's rate limit first,
 * then the work, then exactly one audit line and one count in the vend metrics, whatever the
 * outcome. Error lines carry the upstream's code and request id, never its message.
 * @internal
 */
export const createAudited = (init: {
  readonly log: LogSink
  readonly metrics: CredvendMetrics
  readonly elapsedMs: () => number
  /** Throws 429 when the caller is over its limit. */
  readonly admit: (callerId: string) => Promise<void>
}) => {
  const outcomes = new Map<string, number>()
  // Bound series per (outcome, cache state): a handful, resolved once, so a hit formats no labels.
  const series = new Map<string, { count: () => void; seconds: (s: number) => void }>()
  const counted = (outcome: string, cache: string, startedMs: number) => {
    outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1)
    const key = `${outcome} ${cache}`
    let bound = series.get(key)
    if (!bound) {
      bound = {
        count: init.metrics.vends.series({ outcome, cache }),
        seconds: init.metrics.vendSeconds.series({ cache }),
      }
      series.set(key, bound)
    }
    bound.count()
    bound.seconds((init.elapsedMs() - startedMs) / 1000)
  }

  const audited = async <T extends AuditedResult>(
    base: Readonly<Record<string, unknown>> & { readonly callerId: string },
    work: () => Promise<T>,
  ): Promise<T> => {
    const startedMs = init.elapsedMs()
    try {
      await init.admit(base.callerId)
      const result = await work()
      counted('ok', result.cache, startedMs)
      init.log({ ...base, outcome: 'ok', ...result.audit })
      return result
    } catch (error) {
      const code = isVendError(error) ? error.code : 'ERR_INTERNAL'
      counted(code, 'none', startedMs)
      const upstream = isVendError(error) ? error.upstream : undefined
      init.log({
        ...base,
        outcome: code,
        upstreamCode: upstream?.code ?? null,
        stsRequestId: upstream?.service === 'sts' ? (upstream.requestId ?? null) : null,
      })
      throw error
    }
  }
  return { audited, outcomes: (): Record<string, number> => Object.fromEntries(outcomes) }
}
