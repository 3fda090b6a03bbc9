import { credentialsReply } from '../credentials-reply.ts'
import type { CredentialProvider } from '../provider.ts'
import { misconfigured, notConfigured } from '../provider-error.ts'
import { isSwitchedOn } from './is-switched-on.ts'

/** The ECS metadata service; a constant, as in the official tools. @public */
export const IMDS_ENDPOINT = 'http://100.100.100.200'
/** @public */
export const ENV_ECS_METADATA = 'ALIBABA_CLOUD_ECS_METADATA'
/** @public */
export const ENV_ECS_METADATA_DISABLED = 'ALIBABA_CLOUD_ECS_METADATA_DISABLED'
/** @public */
export const ENV_IMDSV1_DISABLED = 'ALIBABA_CLOUD_IMDSV1_DISABLED'
/**
 * The same switch as some official documents spell it: the Chinese READMEs of
 * aliyun/credentials-python (README-CN.md, "ECS RAM Role") and aliyun/credentials-cpp
 * (README-zh-CN.md, "EcsRamRole") name `ALIBABA_CLOUD_IMDSV1_DISABLE`, while the code of
 * @alicloud/credentials 2.4.7 (dist/src/providers/ecs_ram_role.js) and aliyun/credentials-go
 * (credentials/providers/ecs_ram_role.go) reads only `ALIBABA_CLOUD_IMDSV1_DISABLED`. Whoever set
 * either asked for IMDSv2 only, so credvend honours both and treats them alike.
 * @public
 */
export const ENV_IMDSV1_DISABLE = 'ALIBABA_CLOUD_IMDSV1_DISABLE'

const TOKEN_TTL_SECONDS = '21600'
const CREDENTIALS_PATH = '/latest/meta-data/ram/security-credentials/'

/**
 * The ECS instance RAM role, read as aliyun/credentials-nodejs `src/providers/ecs_ram_role.ts`
 * reads it: an IMDSv2 token first, IMDSv1 only when allowed (neither `ALIBABA_CLOUD_IMDSV1_DISABLED`
 * nor `ALIBABA_CLOUD_IMDSV1_DISABLE` is `true`, in any case), 1 s timeouts, `Code` must be
 * `Success`. Unreachable metadata means "not on ECS" and passes on — unless a role name was
 * configured, in which case every failure stops the chain. `endpoint` exists for tests against
 * the emulator; deployments use the constant.
 * @public
 */
export const fromInstanceMetadata =
  (deps: {
    env: Readonly<Record<string, string | undefined>>
    fetch: typeof fetch
    endpoint?: string
    timeoutMs?: number
  }): CredentialProvider =>
  async () => {
    const { env } = deps
    if (isSwitchedOn(env, ENV_ECS_METADATA_DISABLED))
      throw notConfigured('ecs-ram-role', `${ENV_ECS_METADATA_DISABLED}=true`)
    const base = deps.endpoint ?? IMDS_ENDPOINT
    const configuredRole = env[ENV_ECS_METADATA]
    const fail = (message: string) =>
      configuredRole
        ? misconfigured('ecs-ram-role', message)
        : notConfigured('ecs-ram-role', message)
    const call = async (path: string, init: RequestInit = {}) => {
      try {
        return await deps.fetch(`${base}${path}`, {
          ...init,
          redirect: 'manual',
          signal: AbortSignal.timeout(deps.timeoutMs ?? 1_000),
        })
      } catch {
        return undefined
      }
    }
    const tokenResponse = await call('/latest/api/token', {
      method: 'PUT',
      headers: { 'x-aliyun-ecs-metadata-token-ttl-seconds': TOKEN_TTL_SECONDS },
    })
    if (tokenResponse === undefined && !configuredRole)
      throw notConfigured('ecs-ram-role', 'no metadata service reachable')
    const token = tokenResponse?.ok ? (await tokenResponse.text()).trim() : undefined
    const v1Switch = [ENV_IMDSV1_DISABLED, ENV_IMDSV1_DISABLE].find((n) => isSwitchedOn(env, n))
    if (!token && v1Switch) throw fail(`no IMDSv2 token, and ${v1Switch}=true forbids IMDSv1`)
    const headers: Record<string, string> = token ? { 'x-aliyun-ecs-metadata-token': token } : {}
    let roleName = configuredRole
    if (!roleName) {
      const roleResponse = await call(CREDENTIALS_PATH, { headers })
      if (!roleResponse?.ok)
        throw fail(`no instance role (HTTP ${roleResponse?.status ?? 'unreachable'})`)
      roleName = (await roleResponse.text()).trim()
      if (!roleName) throw fail('no instance role attached')
    }
    const credentialsResponse = await call(`${CREDENTIALS_PATH}${encodeURIComponent(roleName)}`, {
      headers,
    })
    if (!credentialsResponse?.ok)
      throw misconfigured(
        'ecs-ram-role',
        `credentials for the instance role failed (HTTP ${credentialsResponse?.status ?? 'unreachable'})`,
      )
    const parsed = credentialsReply.safeParse(
      await credentialsResponse.json().catch(() => undefined),
    )
    if (!parsed.success)
      throw misconfigured(
        'ecs-ram-role',
        'the metadata reply is not credentials JSON, or its Code is not Success',
      )
    return { ...parsed.data, source: 'ecs-ram-role' }
  }
