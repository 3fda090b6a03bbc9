import type { CompiledProfile, LoadedConfig } from '../config/load.ts'
import type { CredentialProvider, ProviderInput } from '../credentials/provider.ts'
import { utf8 } from '../crypto/encoding.ts'
import { isVendError } from '../errors.ts'
import type { LogSink } from '../log.ts'
import type { StsClient } from '../sts/client.ts'
import { checkPartnerRole } from './partner-check.ts'

/** What the last conclusive check of one partner role found. @public */
export interface TrustVerdict {
  readonly partner: string
  readonly roleArn: string
  /** Every probe answered as it must. */
  readonly ok: boolean
  /** The role accepted an AssumeRole without the ExternalId or with a wrong one. */
  readonly loose: boolean
  readonly checkedAtMs: number
}

/** What one run of the watch did, per partner: its verdict, or why there is none this time. @public */
export type TrustRunResult =
  | { readonly partner: string; readonly outcome: 'ok' | 'failed'; readonly loose: boolean }
  | { readonly partner: string; readonly outcome: 'unreachable' | 'inconclusive' }

/** What a run reads and where it leaves its verdicts. @internal */
export interface TrustRunDeps {
  readonly sts: StsClient
  readonly source: CredentialProvider
  readonly now: () => Date
  readonly randomId: () => string
  readonly log: LogSink
}

/**
 * One run of the partner trust watch: probes each partner role as `credvend partner check` does,
 * records the verdict and logs a change of verdict (a warning when a role stopped passing). A
 * probe that was accepted where it must be refused is proof the role is loose, whatever else
 * happened; otherwise a call STS did not answer, or an answer that proves nothing about the trust
 * policy (throttling, a clock or source-credential problem), leaves the last verdict in place: a
 * burst on credvend's side must not read as a partner's mistake. On Function Compute this is a
 * file of its own, loaded by the first run.
 * @internal
 */
export const runTrustChecks = async (
  deps: TrustRunDeps,
  partners: readonly CompiledProfile[],
  loaded: LoadedConfig,
  input: ProviderInput | undefined,
  verdicts: Map<string, TrustVerdict>,
): Promise<TrustRunResult[]> => {
  const refusing = loaded.config.partnerTrust?.refuseWhenLoose === true
  let source
  try {
    source = await deps.source(input)
  } catch (error) {
    deps.log({
      type: 'partner-trust',
      event: 'no-source',
      level: 'warn',
      reason: isVendError(error) ? error.code : 'ERR_INTERNAL',
    })
    return partners.map((p) => ({ partner: p.name, outcome: 'unreachable' }))
  }
  const results: TrustRunResult[] = []
  for (const partner of partners) {
    const { steps, unreachable, inconclusive, loose } = await checkPartnerRole({
      sts: deps.sts,
      source,
      hops: partner.hops,
      roleArn: partner.profile.roleArn,
      externalId: partner.externalId!,
      randomBytes: (n) => utf8(deps.randomId() + deps.randomId()).subarray(0, n),
    })
    if (!loose && (unreachable || inconclusive)) {
      const outcome = unreachable ? 'unreachable' : 'inconclusive'
      deps.log({
        type: 'partner-trust',
        event: outcome,
        partner: partner.name,
        failed: steps.filter((s) => !s.ok).map((s) => s.name),
      })
      results.push({ partner: partner.name, outcome })
      continue
    }
    const ok = !loose && steps.every((s) => s.ok)
    const before = verdicts.get(partner.name)
    const roleArn = partner.profile.roleArn
    const checkedAtMs = deps.now().getTime()
    verdicts.set(partner.name, { partner: partner.name, roleArn, ok, loose, checkedAtMs })
    const changed = before
      ? before.roleArn !== roleArn || before.ok !== ok || before.loose !== loose
      : !ok
    if (changed)
      deps.log({
        type: 'partner-trust',
        event: 'changed',
        level: ok ? 'info' : 'warn',
        partner: partner.name,
        roleArn,
        ok,
        loose,
        failed: steps.filter((s) => !s.ok).map((s) => s.name),
        refusing: refusing && loose,
      })
    results.push({ partner: partner.name, outcome: ok ? 'ok' : 'failed', loose })
  }
  return results
}
