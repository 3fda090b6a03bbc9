import type { StsClient } from '../../sts/client.ts'
import type { CredentialProvider } from '../provider.ts'
import { misconfigured, notConfigured } from '../provider-error.ts'

/** @public */
export const ENV_ROLE_ARN = 'ALIBABA_CLOUD_ROLE_ARN'
/** @public */
export const ENV_OIDC_PROVIDER_ARN = 'ALIBABA_CLOUD_OIDC_PROVIDER_ARN'
/** @public */
export const ENV_OIDC_TOKEN_FILE = 'ALIBABA_CLOUD_OIDC_TOKEN_FILE'
/** @public */
export const ENV_ROLE_SESSION_NAME = 'ALIBABA_CLOUD_ROLE_SESSION_NAME'

/** Reads a file; undefined when it does not exist. Injected by the Node and FC entries. @public */
export type ReadFile = (path: string) => Promise<string | undefined>

/** The OIDC exchange shared by the env provider and the CLI/INI `OIDC` profiles. @internal */
export const oidcExchange =
  (
    name: string,
    spec: {
      roleArn: string
      providerArn: string
      tokenFile: string
      sessionName: string | undefined
      durationSeconds: number | undefined
    },
    deps: { readFile: ReadFile; sts: StsClient; now: () => Date },
  ): CredentialProvider =>
  async () => {
    // The token file is re-read on every refresh: the platform rotates it in place.
    const token = (await deps.readFile(spec.tokenFile).catch(() => undefined))?.trim()
    if (!token) throw misconfigured(name, `cannot read the OIDC token file ${spec.tokenFile}`)
    try {
      const reply = await deps.sts.assumeRoleWithOidc({
        roleArn: spec.roleArn,
        oidcProviderArn: spec.providerArn,
        oidcToken: token,
        roleSessionName: spec.sessionName ?? `credvend-${deps.now().getTime()}`,
        ...(spec.durationSeconds === undefined ? {} : { durationSeconds: spec.durationSeconds }),
      })
      return { ...reply.credentials, source: name }
    } catch (error) {
      throw misconfigured(name, `AssumeRoleWithOIDC ${spec.roleArn} failed`, error)
    }
  }

/**
 * RRSA / workload identity from the environment: all three of `ALIBABA_CLOUD_ROLE_ARN`,
 * `_OIDC_PROVIDER_ARN` and `_OIDC_TOKEN_FILE`, or none (a partial set is a broken configuration).
 * @public
 */
export const fromOidcTokenFile =
  (deps: {
    env: Readonly<Record<string, string | undefined>>
    readFile: ReadFile
    sts: StsClient
    now: () => Date
  }): CredentialProvider =>
  async (input) => {
    const { env } = deps
    const values = [env[ENV_ROLE_ARN], env[ENV_OIDC_PROVIDER_ARN], env[ENV_OIDC_TOKEN_FILE]]
    if (values.every((v) => !v)) throw notConfigured('oidc', `${ENV_OIDC_TOKEN_FILE} is not set`)
    if (values.some((v) => !v))
      throw misconfigured(
        'oidc',
        `set all of ${ENV_ROLE_ARN}, ${ENV_OIDC_PROVIDER_ARN} and ${ENV_OIDC_TOKEN_FILE}`,
      )
    const [roleArn, providerArn, tokenFile] = values as [string, string, string]
    return oidcExchange(
      'oidc',
      {
        roleArn,
        providerArn,
        tokenFile,
        sessionName: env[ENV_ROLE_SESSION_NAME],
        durationSeconds: undefined,
      },
      deps,
    )(input)
  }
