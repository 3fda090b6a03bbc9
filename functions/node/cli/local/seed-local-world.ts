import { configError, type FoundProblem } from '../../../../lib/config/config-error.ts'
import type { LoadedConfig } from '../../../../lib/config/load.ts'
import { browserUploadCors } from '../../../../lib/emulator/oss/oss-store.ts'
import { roleCeilings } from '../../../../lib/infra/role-ceilings.ts'
import { renderTrustPolicy } from '../../../../lib/partners/trust-policy.ts'
import { DEMO_BUCKET, LOCAL_ROTATION_SECONDS, type startLocalEmulator } from './local-emulator.ts'

type Emulator = Awaited<ReturnType<typeof startLocalEmulator>>
type Statement = Record<string, unknown>

interface RolePlan {
  readonly arn: string
  readonly trusted: string
  readonly externalId: string | undefined
  readonly statements: Statement[]
  maxSessionDuration: number
  readonly profiles: string[]
}

/** `acs:ram::<account>:role/<name>`, already checked by the config schema. */
const roleParts = (arn: string) => {
  const [, , , account, resource] = arn.split(':')
  return { account: account!, name: resource!.split('/')[1]! }
}

/** A RAM user name (letters, digits, `._@-`, at most 64) for the user behind a KMS secret. */
const userNameFor = (secretName: string) =>
  `${(secretName.split('/').pop() ?? 'secret').replace(/[^A-Za-z0-9._@-]/g, '-').slice(0, 56)}-ak-user`

/**
 * Gives the emulator's world what a loaded config expects Alibaba Cloud to have, and returns one
 * line per thing it created, for the banner:
 * - each role a profile assumes (hubs included): trusting exactly the link before it — the local
 *   credvend user for the first — with that link's ExternalId from the config, the same trust
 *   policy onboarding renders; permitted the profile's permission ceiling (what `infra render`
 *   writes), a hub only `sts:AssumeRole` on the next link, and a role whose profile has no session
 *   policy nothing at all (its permissions are written by hand in RAM, and the emulator cannot
 *   guess them);
 * - each `oss-upload` bucket, owned by its role's account, with CORS for its profiles' origins;
 * - each access-key profile's KMS secret: a RAMCredentials secret rotating a new RAM user's
 *   AccessKey (the user has no permissions).
 * What the demo world already has (its bucket, its roles, its secret) is kept as it is.
 */
export const seedLocalWorld = async (
  emulator: Emulator,
  loaded: LoadedConfig,
  /** The config file's text, which problems point into. */
  fileText: string,
): Promise<string[]> => {
  const { world, demo } = emulator
  const problems: FoundProblem[] = []
  const plans = new Map<string, RolePlan>()
  const plan = (
    profile: string,
    link: { roleArn: string; externalId: string | undefined; seconds: number },
    trusted: string,
  ): RolePlan => {
    const key = link.roleArn.toLowerCase()
    const seen = plans.get(key)
    if (!seen) {
      const created: RolePlan = {
        arn: link.roleArn,
        trusted,
        externalId: link.externalId,
        statements: [],
        maxSessionDuration: Math.max(3600, link.seconds),
        profiles: [profile],
      }
      plans.set(key, created)
      return created
    }
    // The ExternalId itself is never named: it is a secret shared with the role's owner.
    if (seen.trusted !== trusted || seen.externalId !== link.externalId)
      problems.push({
        path: `profiles.${profile}`,
        message: `${link.roleArn} is also reached by ${seen.profiles.join(', ')} through another identity or ExternalId; a role has one trust policy`,
      })
    seen.maxSessionDuration = Math.max(seen.maxSessionDuration, link.seconds)
    seen.profiles.push(profile)
    return seen
  }
  for (const [name, compiled] of loaded.profiles) {
    const links = [
      ...compiled.hops.map((h) => ({ ...h, seconds: h.durationSeconds })),
      {
        roleArn: compiled.profile.roleArn,
        externalId: compiled.externalId,
        seconds: compiled.duration.max,
      },
    ]
    let trusted = demo.vendorArn
    for (const link of links) {
      plan(name, link, trusted)
      trusted = link.roleArn
    }
  }
  // The permissions infra render writes for each role, so the emulator grants what RAM would.
  const ceilings = roleCeilings(loaded.config)
  for (const role of plans.values())
    role.statements.push(...(ceilings.get(role.arn)?.Statement ?? []))
  if (problems.length > 0) throw await configError(fileText, problems)

  const created: string[] = []
  for (const role of plans.values()) {
    const { account, name } = roleParts(role.arn)
    if (world.findRole(account, name)) {
      created.push(`role        ${role.arn}  (already in the demo world, kept as it is)`)
      continue
    }
    world.createRole(account, name, {
      trustPolicy: renderTrustPolicy({ trusted: role.trusted, externalId: role.externalId }),
      policies: role.statements.length > 0 ? [{ Version: '1', Statement: role.statements }] : [],
      maxSessionDuration: role.maxSessionDuration,
    })
    const permissions =
      role.statements.length > 0
        ? `${role.statements.length} permission statement(s) from ${role.profiles.join(', ')}`
        : 'no permissions (its profile has no session policy to derive them from)'
    created.push(
      `role        ${role.arn}  trusts ${role.trusted}${role.externalId === undefined ? '' : " with the config's ExternalId"}; ${permissions}`,
    )
  }

  const bucketOrigins = new Map<string, string[]>()
  for (const { profile } of loaded.profiles.values()) {
    if (profile.kind !== 'oss-upload') continue
    const known = bucketOrigins.get(profile.bucket)
    if (known) {
      // The bucket's CORS rule holds this very array, so adding to it widens the rule.
      known.push(...profile.corsOrigins.filter((o) => !known.includes(o)))
      continue
    }
    const origins = [...profile.corsOrigins]
    bucketOrigins.set(profile.bucket, origins)
    if (profile.bucket === DEMO_BUCKET) {
      origins.forEach(emulator.allowOssOrigin)
      created.push(`bucket      ${DEMO_BUCKET}  (already in the demo world, kept as it is)`)
      continue
    }
    const owner = roleParts(profile.roleArn).account
    emulator.oss.store.createBucket(owner, profile.bucket, {
      region: profile.region,
      cors: [browserUploadCors(origins)],
    })
    created.push(
      `bucket      ${profile.bucket}  (${profile.region}, account ${owner}; CORS for the profiles' corsOrigins)`,
    )
  }

  const secrets = new Set<string>()
  for (const profile of loaded.accessKeyProfiles.values()) {
    if (secrets.has(profile.secretName)) continue
    secrets.add(profile.secretName)
    if (emulator.kms.secrets.find(demo.accountId, profile.secretName)) {
      created.push(`KMS secret  ${profile.secretName}  (already in the demo world, kept as it is)`)
      continue
    }
    const userName = userNameFor(profile.secretName)
    const user = world.createUser(demo.accountId, userName)
    emulator.kms.secrets.createRamSecret(demo.accountId, profile.secretName, {
      user,
      rotationIntervalSeconds: LOCAL_ROTATION_SECONDS,
    })
    created.push(
      `KMS secret  ${profile.secretName}  RAMCredentials, rotating weekly, of new RAM user ${userName} (no permissions)`,
    )
  }
  return created
}
