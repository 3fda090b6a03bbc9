import { ConfigError, configError } from '../../../../lib/config/config-error.ts'
import type { ParsedConfig } from '../../../../lib/config/load.ts'

/** Where a local run sends what the config would send to Alibaba Cloud. */
export interface LocalTargets {
  /** The emulator's services, by name. */
  readonly endpoints: { readonly STS: string; readonly OSS: string; readonly KMS: string }
  /** credvend's own identity in the emulator: what the config's roles trust there. */
  readonly vendorArn: string
  /** Origins `--allow-origin` adds to every `oss-upload` profile, after the config's own. */
  readonly allowOrigins: readonly string[]
}

type Json = Record<string, unknown>

/** Every `{ "kmsSecret": … }` reference in a JSON tree, by its config path. */
const kmsSecretPaths = (node: unknown, path: string): string[] => {
  if (Array.isArray(node)) return node.flatMap((n, i) => kmsSecretPaths(n, `${path}[${i}]`))
  if (node === null || typeof node !== 'object') return []
  if ('kmsSecret' in node) return [path]
  return Object.entries(node).flatMap(([k, v]) => kmsSecretPaths(v, path ? `${path}.${k}` : k))
}

/**
 * A config made to run on the emulator (`serve --local --config FILE`), as a new config text: the
 * STS and KMS endpoints and every `oss-upload` profile's OSS endpoint point at the emulator;
 * `sourcePrincipal` names the emulator's credvend user, the identity the roles trust there; the
 * `--allow-origin` origins join each `oss-upload` profile's own `corsOrigins`; a `redis` section
 * is left out, so a production config's shared state (and its sealing keys) is never touched from
 * a laptop. `{ env }` references stay as they are and resolve from the environment; a
 * `{ kmsSecret }` reference is refused, since the emulator's KMS holds no value for it. Returns
 * the text and one line per change, for the banner.
 */
export const localizeConfig = async (parsed: ParsedConfig, targets: LocalTargets) => {
  const { STS, OSS, KMS } = targets.endpoints
  const raw = structuredClone(parsed.json) as Json
  const changes: string[] = []
  if (raw.redis !== undefined) {
    delete raw.redis
    changes.push('redis             left out: local mode keeps its state in this process')
  }
  const kmsRefs = kmsSecretPaths(raw, '')
  if (kmsRefs.length > 0)
    throw await configError(
      parsed.text,
      kmsRefs.map((path) => ({
        path,
        message:
          'a { "kmsSecret" } reference has no value in local mode (the emulator\'s KMS does not hold it); use { "env": NAME } for a local run',
      })),
    )
  raw.sts = { ...(raw.sts as Json), endpoint: STS }
  changes.push(`sts.endpoint      ${STS}`)
  if (raw.kms !== undefined) {
    raw.kms = { ...(raw.kms as Json), endpoint: KMS }
    changes.push(`kms.endpoint      ${KMS}`)
  }
  const profiles = raw.profiles as Record<string, Json>
  for (const [name, profile] of Object.entries(parsed.config.profiles)) {
    if (profile.kind !== 'oss-upload') continue
    const out = profiles[name]!
    out.endpoint = OSS
    changes.push(`profiles.${name}.endpoint  ${OSS}`)
    const added = targets.allowOrigins.filter((o) => !profile.corsOrigins.includes(o))
    if (added.length > 0) {
      out.corsOrigins = [...profile.corsOrigins, ...added]
      changes.push(`profiles.${name}.corsOrigins  + ${added.join(', ')}`)
    }
  }
  if (raw.sourcePrincipal !== targets.vendorArn) {
    raw.sourcePrincipal = targets.vendorArn
    changes.push(`sourcePrincipal   ${targets.vendorArn}`)
  }
  return { text: JSON.stringify(raw), changes }
}

/**
 * A problem found while loading the localized text, placed in the person's own file instead: the
 * paths are the same in both, the lines and columns are not.
 */
export const inOwnFile = async (fileText: string, error: unknown): Promise<unknown> =>
  error instanceof ConfigError
    ? configError(
        fileText,
        error.problems.map((p) => ({
          path: p.path === '(root)' ? '' : p.path,
          message: p.message,
        })),
      )
    : error
