import type { StsClient } from '../../sts/client.ts'
import type { CredentialProvider } from '../provider.ts'
import { misconfigured } from '../provider-error.ts'
import type { Credentials } from '../types.ts'

/** What a role-assuming profile names. @internal */
export interface RoleSpec {
  readonly roleArn: string
  readonly sessionName: string | undefined
  readonly durationSeconds: number | undefined
  readonly externalId?: string | undefined
  readonly policy?: string | undefined
}

const earlier = (a: Date, b: Date | undefined) => (b && b < a ? b : a)

/**
 * Assumes a role from the live source credentials, every time it is called. The result's
 * expiration is the earlier of the role's and the source's, so a cache (memoize) keeps chained
 * credentials only while both are valid — never an auto-refreshing role stacked on expiring
 * source credentials.
 * @internal
 */
export const assumedRole =
  (
    name: string,
    source: CredentialProvider,
    role: RoleSpec,
    deps: { sts: StsClient; now: () => Date },
  ): CredentialProvider =>
  async (input) => {
    const from: Credentials = await source(input)
    try {
      const reply = await deps.sts.assumeRole(from, {
        roleArn: role.roleArn,
        roleSessionName: role.sessionName ?? `credvend-${deps.now().getTime()}`,
        ...(role.durationSeconds === undefined ? {} : { durationSeconds: role.durationSeconds }),
        ...(role.externalId === undefined ? {} : { externalId: role.externalId }),
        ...(role.policy === undefined ? {} : { policy: role.policy }),
      })
      return {
        ...reply.credentials,
        expiration: earlier(reply.credentials.expiration, from.expiration),
        source: name,
      }
    } catch (error) {
      throw misconfigured(name, `AssumeRole ${role.roleArn} failed`, error)
    }
  }
