import type { Governor } from '../upstream/governor.ts'
import type { StsClient } from './client.ts'

/** Every call through this client takes a governor slot first, waiting at most `waitMs`. @public */
export const governedStsClient = (sts: StsClient, governor: Governor, now: () => Date, waitMs: number): StsClient => {
  const slot = () => governor.acquire(now().getTime() + waitMs)
  return {
    assumeRole: async (source, input) => (await slot(), sts.assumeRole(source, input)),
    assumeRoleWithOidc: async (input) => (await slot(), sts.assumeRoleWithOidc(input)),
    getCallerIdentity: async (source) => (await slot(), sts.getCallerIdentity(source)),
  }
}
