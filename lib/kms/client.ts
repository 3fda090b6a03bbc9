import * as z from '../zod.ts'
import type { Credentials } from '../credentials/types.ts'
import { digestsOf } from '../crypto/digests.ts'
import { VendError } from '../errors.ts'
import { callOpenApi } from '../openapi/call.ts'
import { prepareSignedCall, type SignatureScheme } from '../openapi/signed-request.ts'
import type { CoreDeps } from '../runtime/deps.ts'
import { timestampSchema } from '../signing/timestamp-schema.ts'
import { kmsErrors } from './errors.ts'

/** @public */
export const KMS_VERSION = '2016-01-20'

const stamp = timestampSchema('not a timestamp')

/**
 * GetSecretValue's reply, the fields credvend uses (aliyun/alibabacloud-typescript-sdk
 * `kms-20160120/src/models/GetSecretValueResponseBody.ts`).
 * @internal
 */
const secretValueReply = z.pipe(
  z.looseObject({
    RequestId: z.string(),
    SecretName: z.string(),
    VersionId: z.string(),
    SecretData: z.string(),
    SecretType: z.optional(z.string()),
    VersionStages: z.optional(z.looseObject({ VersionStage: z.array(z.string()) })),
    RotationInterval: z.optional(z.string().check(z.regex(/^\d+s$/))),
    NextRotationDate: z.optional(stamp),
    LastRotationDate: z.optional(stamp),
    ExtendedConfig: z.optional(z.string()),
  }),
  z.transform((r) => ({
    requestId: r.RequestId,
    secretName: r.SecretName,
    versionId: r.VersionId,
    secretData: r.SecretData,
    secretType: r.SecretType,
    versionStages: r.VersionStages?.VersionStage ?? [],
    rotationIntervalSeconds: r.RotationInterval
      ? Number(r.RotationInterval.slice(0, -1))
      : undefined,
    nextRotationDate: r.NextRotationDate,
    lastRotationDate: r.LastRotationDate,
    extendedConfig: r.ExtendedConfig,
  })),
)

/** @public */
export type SecretValue = z.output<typeof secretValueReply>

/**
 * KMS Secrets Manager's GetSecretValue (2016-01-20), signed with credvend's source credentials
 * (RPC v1.0 by default; ACS3 acceptance by KMS is unconfirmed), on the endpoint a function is
 * given: public `kms.<region>.aliyuncs.com` or VPC `kms-vpc.<region>.aliyuncs.com`.
 * @public
 */
export const createKmsClient = (
  options: { endpoint: string; timeoutMs?: number; signature?: SignatureScheme },
  deps: CoreDeps,
) => {
  const signGetSecretValue = prepareSignedCall(
    { endpoint: new URL(options.endpoint), action: 'GetSecretValue', version: KMS_VERSION },
    options.signature ?? 'rpc-hmac-sha1',
    digestsOf(deps.digests),
  )
  return {
    async getSecretValue(
      source: Credentials,
      input: {
        secretName: string
        versionStage?: 'ACSCurrent' | 'ACSPrevious'
        fetchExtendedConfig?: boolean
      },
    ): Promise<SecretValue> {
      if (!/^[\w/:.@-]{1,192}$/.test(input.secretName))
        throw new VendError('ERR_BAD_REQUEST', 'not a KMS secret name')
      const request = await signGetSecretValue(
        {
          SecretName: input.secretName,
          VersionStage: input.versionStage ?? 'ACSCurrent',
          ...(input.fetchExtendedConfig ? { FetchExtendedConfig: 'true' } : {}),
        },
        { credentials: source, now: deps.now(), nonce: deps.randomId() },
      )
      return callOpenApi(deps.fetch, request, {
        operation: 'GetSecretValue',
        timeoutMs: options.timeoutMs ?? 5_000,
        schema: secretValueReply,
        errors: kmsErrors,
      })
    },
  }
}

/** @public */
export type KmsClient = ReturnType<typeof createKmsClient>

/**
 * A RAMCredentials secret's `SecretData`, validated; its shape is documented in
 * aliyun/alibabacloud-typescript-sdk `kms-20160120/src/models/GetSecretValueResponseBody.ts`.
 * @public
 */
export const ramCredentialsData = z.pipe(
  z.looseObject({
    AccessKeyId: z.string().check(z.regex(/^[A-Za-z0-9]{8,64}$/)),
    AccessKeySecret: z.string().check(z.minLength(8), z.maxLength(128)),
    GenerateTimestamp: z.optional(z.string()),
  }),
  z.transform((d) => ({ accessKeyId: d.AccessKeyId, accessKeySecret: d.AccessKeySecret })),
)
