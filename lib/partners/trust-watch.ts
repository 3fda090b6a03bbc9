import type { CompiledProfile, LoadedConfig } from '../config/load.ts'
import type { ProviderInput } from '../credentials/provider.ts'
import { VendError } from '../errors.ts'
import type { TrustRunDeps, TrustRunResult, TrustVerdict } from './trust-run.ts'

/**
 * Watches the trust policy of every partner role (a profile with an `externalId`) for drift: a
 * partner can drop the ExternalId condition at any time, and nothing else would notice. A run
 * probes each role as `credvend partner check` does (refused without an ExternalId and with a
 * wrong one, assumed with the configured one) from credvend's own identity, through the STS
 * governor like every other call. The runtime drives it — a timer on Node, a cron trigger on
 * Function Compute and Workers — and `runDue` starts a run only once 90 % of the interval has
 * passed since the last began (a cron that fires a little early still runs), whoever asks.
 * Verdicts belong to the role they were found for: a reload that points a profile at another
 * role starts it unknown.
 * @public
 */
export const createTrustWatch = (deps: TrustRunDeps) => {
  const verdicts = new Map<string, TrustVerdict>()
  let lastRunMs = -Infinity
  let running: Promise<readonly TrustRunResult[]> | undefined

  const current = (loaded: LoadedConfig, name: string): TrustVerdict | undefined => {
    const verdict = verdicts.get(name)
    return verdict && verdict.roleArn === loaded.profiles.get(name)?.profile.roleArn
      ? verdict
      : undefined
  }

  const partnersOf = (loaded: LoadedConfig): CompiledProfile[] =>
    [...loaded.profiles.values()].filter((p) => p.externalId && !p.profile.disabled)

  const run = async (loaded: LoadedConfig, input: ProviderInput | undefined) => {
    const partners = partnersOf(loaded)
    if (partners.length === 0) return []
    // Its own file on Function Compute: only a watch run needs the probes.
    const { runTrustChecks } = await import('./trust-run.ts')
    return runTrustChecks(deps, partners, loaded, input, verdicts)
  }

  return {
    /**
     * Runs the checks when the config asks for a watch and 90 % of its interval has passed since
     * the last run began, and resolves to what they found; joins a run already going; resolves
     * to `undefined` when nothing was due.
     */
    runDue(
      loaded: LoadedConfig,
      input?: ProviderInput,
    ): Promise<readonly TrustRunResult[] | undefined> {
      const watch = loaded.config.partnerTrust
      if (!watch) return Promise.resolve(undefined)
      if (running) return running
      const nowMs = deps.now().getTime()
      if (nowMs - lastRunMs < watch.intervalSeconds * 900) return Promise.resolve(undefined)
      lastRunMs = nowMs
      return (running = run(loaded, input).finally(() => {
        running = undefined
      }))
    },
    /** Refuses a vend of a partner whose role was last found loose, when the config says so. */
    admit(loaded: LoadedConfig, name: string) {
      if (loaded.config.partnerTrust?.refuseWhenLoose && current(loaded, name)?.loose)
        throw new VendError(
          'ERR_PARTNER_UNTRUSTED',
          "vending for this profile is suspended: its role's trust policy no longer requires the ExternalId",
        )
    },
    /** The current verdict of every watched partner, for /metrics. */
    verdicts: (loaded: LoadedConfig): TrustVerdict[] =>
      partnersOf(loaded).flatMap((p) => current(loaded, p.name) ?? []),
  }
}
