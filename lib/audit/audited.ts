import { isVendError } from '../errors.ts'
import type { LogSink } from '../log.ts'
import type { CredvendMetrics } from '../metrics/credvend-metrics.ts'

/**
 * What an `ok` audit line reports of the work (never a secret). An STS vend fills every field;
 * work that has no role or session leaves those out.
 * @internal
 */
export interface AuditFields {
  readonly roleArn?: string
  readonly sessionName?: string
  readonly policySha256?: string | null
  readonly durationSeconds?: number
  /** hit, shared, miss or stale; none when the work keeps no cache. */
  readonly cache: string
  readonly stsRequestId?: string | null
}

/** What a piece of audited work hands back besides its answer. @internal */
export interface AuditedResult {
  /** hit, shared, miss or stale; none when the work keeps no cache. */
  readonly cache: string
  readonly audit: AuditFields
}

/** Who asked for what: the fields every audit line of one operation starts with. @internal */
export interface AuditSubject {
  readonly requestId: string
  readonly callerId: string
  readonly profile: string
  readonly generation: string
  /** Set for the access-key path. */
  readonly kind?: 'access-key'
  /** Set for operations other than a vend. */
  readonly event?: 'report-invalid'
}

/**
 * The one wrapper every caller-facing operation goes through: the caller's rate limit first,
 * then the work, then exactly one audit line and one count in the vend metrics, whatever the
 * outcome. Error lines carry the upstream's code and request id, never its message.
 *
 * Lines are object literals with every field named in a fixed order, so all lines of a kind
 * share one shape; a field the work does not report is undefined, and JSON leaves it out.
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
  const series = new Map<string, Map<string, { count: () => void; seconds: (s: number) => void }>>()
  const counted = (outcome: string, cache: string, startedMs: number) => {
    outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1)
    let byCache = series.get(outcome)
    if (!byCache) series.set(outcome, (byCache = new Map()))
    let bound = byCache.get(cache)
    if (!bound) {
      bound = {
        count: init.metrics.vends.series({ outcome, cache }),
        seconds: init.metrics.vendSeconds.series({ cache }),
      }
      byCache.set(cache, bound)
    }
    bound.count()
    bound.seconds((init.elapsedMs() - startedMs) / 1000)
  }

  const audited = async <T extends AuditedResult>(
    subject: AuditSubject,
    work: () => Promise<T>,
  ): Promise<T> => {
    const startedMs = init.elapsedMs()
    try {
      await init.admit(subject.callerId)
      const result = await work()
      counted('ok', result.cache, startedMs)
      const fields = result.audit
      init.log({
        type: 'audit',
        requestId: subject.requestId,
        callerId: subject.callerId,
        profile: subject.profile,
        generation: subject.generation,
        kind: subject.kind,
        event: subject.event,
        outcome: 'ok',
        roleArn: fields.roleArn,
        sessionName: fields.sessionName,
        policySha256: fields.policySha256,
        durationSeconds: fields.durationSeconds,
        cache: fields.cache,
        stsRequestId: fields.stsRequestId,
      })
      return result
    } catch (error) {
      const code = isVendError(error) ? error.code : 'ERR_INTERNAL'
      counted(code, 'none', startedMs)
      const upstream = isVendError(error) ? error.upstream : undefined
      init.log({
        type: 'audit',
        requestId: subject.requestId,
        callerId: subject.callerId,
        profile: subject.profile,
        generation: subject.generation,
        kind: subject.kind,
        event: subject.event,
        outcome: code,
        upstreamCode: upstream?.code ?? null,
        stsRequestId: upstream?.service === 'sts' ? (upstream.requestId ?? null) : null,
      })
      throw error
    }
  }
  return { audited, outcomes: (): Record<string, number> => Object.fromEntries(outcomes) }
}
