import { randomAlnum, type EmulatorDeps } from '../emulator-deps.ts'
import type { UserRecord, World } from '../world.ts'

interface Version {
  readonly versionId: string
  readonly accessKeyId: string
  readonly accessKeySecret: string
  readonly created: Date
}

/** A RAMCredentials secret: the RAM user whose keys it rotates, and its two retrievable stages. @internal */
export interface RamSecret {
  readonly name: string
  readonly accountId: string
  readonly user: UserRecord
  readonly rotationIntervalSeconds: number
  current: Version
  previous: Version | undefined
  lastRotation: Date
  nextRotation: Date
  /** How long a rotated-out key keeps working (0: at once). */
  overlapSeconds: number
}

/**
 * The emulator's Secrets Manager: RAMCredentials secrets whose rotation tests drive. Rotating
 * mints a new AccessKey for the RAM user (ACSCurrent), keeps the old one as ACSPrevious, and
 * retires it after the overlap — STS and OSS then refuse it, as RAM would.
 * @public
 */
export const createKmsSecrets = (world: World, deps: EmulatorDeps) => {
  const secrets = new Map<string, RamSecret>()
  const generic = new Map<
    string,
    { readonly value: string; readonly versionId: string; readonly created: Date }
  >()
  const version = (keys: { accessKeyId: string; accessKeySecret: string }): Version => ({
    versionId: `v-${randomAlnum(deps, 16).toLowerCase()}`,
    ...keys,
    created: deps.now(),
  })
  return {
    createRamSecret(
      accountId: string,
      name: string,
      init: {
        user: UserRecord & { accessKeyId: string; accessKeySecret: string }
        rotationIntervalSeconds?: number
        overlapSeconds?: number
      },
    ): RamSecret {
      const now = deps.now()
      const interval = init.rotationIntervalSeconds ?? 3600
      const secret: RamSecret = {
        name,
        accountId,
        user: init.user,
        rotationIntervalSeconds: interval,
        current: version(init.user),
        previous: undefined,
        lastRotation: now,
        nextRotation: new Date(now.getTime() + interval * 1000),
        overlapSeconds: init.overlapSeconds ?? 3600,
      }
      secrets.set(`${accountId}:${name}`, secret)
      return secret
    },
    find: (accountId: string, name: string) => secrets.get(`${accountId}:${name}`),
    /** A Generic secret: a plain value, such as an ExternalId a config references. */
    createGenericSecret(accountId: string, name: string, value: string) {
      generic.set(`${accountId}:${name}`, {
        value,
        versionId: `v-${randomAlnum(deps, 16).toLowerCase()}`,
        created: deps.now(),
      })
    },
    findGeneric: (accountId: string, name: string) => generic.get(`${accountId}:${name}`),
    /** One rotation, now: the schedule moves on by one interval. */
    rotate(secret: RamSecret): void {
      const now = deps.now()
      if (secret.previous) world.retireAccessKey(secret.previous.accessKeyId, now)
      world.retireAccessKey(
        secret.current.accessKeyId,
        new Date(now.getTime() + secret.overlapSeconds * 1000),
      )
      secret.previous = secret.current
      secret.current = version(world.addAccessKey(secret.user))
      secret.lastRotation = now
      secret.nextRotation = new Date(now.getTime() + secret.rotationIntervalSeconds * 1000)
    },
  }
}

/** @public */
export type KmsSecrets = ReturnType<typeof createKmsSecrets>
