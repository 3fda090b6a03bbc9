import { createMetrics, LATENCY_BUCKETS } from './registry.ts'

/** What the gauges read when /metrics is scraped. @internal */
export interface GaugeSources {
  readonly cacheEntries: () => number
  readonly tokenCacheEntries: () => number
  readonly circuitOpen: () => boolean
  readonly stsClockOffsetSeconds: () => number
  readonly governor: () => { admitted: number; waited: number; refused: number }
  readonly lanes: () => ReadonlyArray<{
    readonly lane: string
    readonly admitted: number
    readonly refused: number
    readonly queued: number
    /** Seconds the lane's calls waited for their turn, summed. */
    readonly waitSeconds: number
    /** The configured minimum share of a priority lane (`profile:<name>`). */
    readonly minShare: number | undefined
  }>
  readonly kmsCalls: () => number
  readonly kmsCircuitOpen: () => boolean
  /** The shared store, when one is configured. */
  readonly redis?: () => { up: boolean; outages: number; tampered: number; unknownKey: number }
  /** The partner trust watch's current verdicts (none until a run concluded). */
  readonly partnerTrust: () => ReadonlyArray<{
    readonly partner: string
    readonly ok: boolean
    readonly checkedAtMs: number
  }>
}

/**
 * Every series credvend exports, in one place, so the names in dashboards and alerts
 * (infra/OPERATIONS.md, runbooks) have one source.
 * @internal
 */
export const createCredvendMetrics = () => {
  const registry = createMetrics()
  const metrics = {
    vends: registry.counter(
      'credvend_vends_total',
      'Vend and access-key requests by outcome (ok or an error code) and cache state.',
    ),
    vendSeconds: registry.histogram(
      'credvend_vend_duration_seconds',
      'Time to answer a vend, by cache state (hit, shared, miss, stale, none).',
      LATENCY_BUCKETS,
    ),
    stsCalls: registry.counter(
      'credvend_sts_calls_total',
      'Calls that reached STS, by action and outcome (ok or an error code).',
    ),
    stsSeconds: registry.histogram(
      'credvend_sts_call_duration_seconds',
      'STS call latency by action.',
      LATENCY_BUCKETS,
    ),
    rateLimited: registry.counter(
      'credvend_rate_limited_total',
      'Requests answered 429, by limit (caller, caller-misses, source-address).',
    ),
    errors: registry.counter('credvend_errors_total', 'Error answers of every route, by code.'),
  }
  /** Registers the sampled series, once the parts they read exist. */
  const watch = (gauges: GaugeSources) => {
    registry.sampled(
      'credvend_cache_entries',
      'Vended credentials currently cached.',
      'gauge',
      gauges.cacheEntries,
    )
    registry.sampled(
      'credvend_token_cache_entries',
      'Verified caller tokens remembered.',
      'gauge',
      gauges.tokenCacheEntries,
    )
    registry.sampled('credvend_circuit_open', '1 while the STS circuit is open.', 'gauge', () =>
      gauges.circuitOpen() ? 1 : 0,
    )
    registry.sampled(
      'credvend_sts_clock_offset_seconds',
      "How far STS's clock is ahead of this host's, learned from a refused timestamp.",
      'gauge',
      gauges.stsClockOffsetSeconds,
    )
    registry.sampled(
      'credvend_kms_calls_total',
      'GetSecretValue calls made.',
      'counter',
      gauges.kmsCalls,
    )
    registry.sampled(
      'credvend_kms_circuit_open',
      '1 while the KMS circuit is open (access keys served stale while still valid).',
      'gauge',
      () => (gauges.kmsCircuitOpen() ? 1 : 0),
    )
    registry.sampled(
      'credvend_sts_governor_total',
      'STS governor decisions: admitted at once or after a wait, refused past the deadline.',
      'counter',
      () => {
        const g = gauges.governor()
        return [
          [{ decision: 'immediate' }, g.admitted - g.waited],
          [{ decision: 'waited' }, g.waited],
          [{ decision: 'refused' }, g.refused],
        ] as const
      },
    )
    registry.sampled(
      'credvend_sts_lane_calls_total',
      'STS calls by fair-queueing lane (jwt:<issuer>, key:<id>, alibaba:<account>, profile:<name> for a profile with a minimum share, login, system): admitted to STS or refused for the budget.',
      'counter',
      () =>
        gauges
          .lanes()
          .flatMap(({ lane, admitted, refused }) => [
            [{ lane, decision: 'admitted' }, admitted] as const,
            [{ lane, decision: 'refused' }, refused] as const,
          ]),
    )
    registry.sampled(
      'credvend_sts_lane_queued',
      'STS calls waiting for their turn, by lane.',
      'gauge',
      () => gauges.lanes().map(({ lane, queued }) => [{ lane }, queued] as const),
    )
    registry.sampled(
      'credvend_sts_lane_wait_seconds_total',
      'Seconds STS calls waited for their turn (from entering the lane to going out), summed by lane.',
      'counter',
      () => gauges.lanes().map(({ lane, waitSeconds }) => [{ lane }, waitSeconds] as const),
    )
    registry.sampled(
      'credvend_sts_lane_min_share',
      'The configured minimum share of the STS rate (sts.lanes.priority), by profile:<name> lane.',
      'gauge',
      () =>
        gauges
          .lanes()
          .flatMap(({ lane, minShare }) =>
            minShare === undefined ? [] : [[{ lane }, minShare] as const],
          ),
    )
    registry.sampled(
      'credvend_partner_trust_ok',
      "1 while the partner role's last check passed (refused without or with a wrong ExternalId, assumed with its own).",
      'gauge',
      () => gauges.partnerTrust().map(({ partner, ok }) => [{ partner }, ok ? 1 : 0] as const),
    )
    registry.sampled(
      'credvend_partner_trust_checked_timestamp_seconds',
      "Unix time of the partner role's last conclusive check.",
      'gauge',
      () =>
        gauges
          .partnerTrust()
          .map(
            ({ partner, checkedAtMs }) => [{ partner }, Math.floor(checkedAtMs / 1000)] as const,
          ),
    )
    const redis = gauges.redis
    if (redis) {
      registry.sampled(
        'credvend_redis_up',
        '1 while the shared Redis answers; 0 while this instance runs on its own.',
        'gauge',
        () => (redis().up ? 1 : 0),
      )
      registry.sampled(
        'credvend_redis_outages_total',
        'Times the shared Redis stopped answering.',
        'counter',
        () => redis().outages,
      )
      registry.sampled(
        'credvend_redis_refused_values_total',
        'Sealed values that did not open and were never served, by reason.',
        'counter',
        () => {
          const r = redis()
          return [
            [{ reason: 'tampered' }, r.tampered],
            [{ reason: 'unknown-key' }, r.unknownKey],
          ] as const
        },
      )
    }
  }
  return { ...metrics, watch, render: registry.render }
}

/** @internal */
export type CredvendMetrics = ReturnType<typeof createCredvendMetrics>
