import { Hono } from 'hono/tiny'
import { KMS_VERSION } from '../../kms/client.ts'
import { conditionContext, evaluatePolicies } from '../policy/evaluate.ts'
import { formatTimestamp } from '../../signing/timestamp.ts'
import { randomRequestId, type EmulatorDeps } from '../emulator-deps.ts'
import { authenticate } from '../sts/authenticate.ts'
import { createNonceStore } from '../sts/nonce-store.ts'
import { readRequest } from '../sts/read-request.ts'
import { STS_ERRORS, StsEmulatorError } from '../sts/sts-errors.ts'
import type { Principal, World } from '../world.ts'
import { createKmsSecrets } from './kms-secrets.ts'

class KmsError extends Error {
  readonly status: number
  readonly code: string

  constructor(status: number, code: string, message: string) {
    super(message)
    this.status = status
    this.code = code
  }
}

const mayRead = (principal: Principal, arn: string): boolean => {
  const request = { action: 'kms:GetSecretValue', resource: arn, context: conditionContext({}) }
  if (principal.kind === 'user') return evaluatePolicies(principal.policies, request) === 'Allow'
  return (
    evaluatePolicies(principal.role.policies, request) === 'Allow' &&
    (!principal.sessionPolicy || evaluatePolicies([principal.sessionPolicy], request) === 'Allow')
  )
}

/**
 * The KMS emulator: GetSecretValue for RAMCredentials secrets over the real RPC
 * wire format — RPC v1.0 and ACS3 signatures, timestamps, nonces and security tokens verified by
 * the same code as the STS emulator — with RAM authorization (`kms:GetSecretValue` on the secret's
 * ARN), `ACSCurrent`/`ACSPrevious`, and KMS's error body `{ HttpStatus, Code, Message, RequestId }`.
 * Tests drive rotation and outages.
 * @public
 */
export const createKmsEmulator = (
  world: World,
  deps: EmulatorDeps,
  options: { region?: string } = {},
) => {
  const region = options.region ?? 'cn-hangzhou'
  const secrets = createKmsSecrets(world, deps)
  const nonces = createNonceStore(15 * 60 * 1000)
  const calls = { getSecretValue: 0, received: 0 }
  let down = false
  const app = new Hono()

  app.all('/', async (c) => {
    const requestId = randomRequestId(deps)
    calls.received++
    try {
      if (down)
        throw new KmsError(
          503,
          'ServiceUnavailableTemporary',
          'The service is temporarily unavailable.',
        )
      const call = await readRequest(c.req.raw)
      const auth = await authenticate(call, {
        world,
        nonces,
        now: deps.now(),
        windowMs: 15 * 60 * 1000,
        anonymousActions: new Set(),
      })
      if (auth.version !== KMS_VERSION)
        throw new KmsError(400, 'InvalidVersion', 'Specified parameter Version is not valid.')
      if (auth.action !== 'GetSecretValue')
        throw new KmsError(
          404,
          'InvalidApi.NotFound',
          'Specified api is not found, please check your url and method.',
        )
      calls.getSecretValue++
      const name = auth.params.SecretName ?? ''
      const secret = secrets.find(auth.principal!.accountId, name)
      const arn = `acs:kms:${region}:${auth.principal!.accountId}:secret/${name}`
      if (!mayRead(auth.principal!, arn))
        throw new KmsError(
          403,
          'Forbidden.NoPermission',
          'This operation is forbidden by permission system.',
        )
      const plain = secrets.findGeneric(auth.principal!.accountId, name)
      if (!secret && plain) {
        return c.json({
          RequestId: requestId,
          SecretName: name,
          VersionId: plain.versionId,
          CreateTime: formatTimestamp(plain.created),
          SecretData: plain.value,
          SecretDataType: 'text',
          SecretType: 'Generic',
          VersionStages: { VersionStage: ['ACSCurrent'] },
        })
      }
      if (!secret) throw new KmsError(404, 'Forbidden.ResourceNotFound', 'Resource not found.')
      const stage = auth.params.VersionStage ?? 'ACSCurrent'
      const v =
        stage === 'ACSCurrent'
          ? secret.current
          : stage === 'ACSPrevious'
            ? secret.previous
            : undefined
      if (!v)
        throw new KmsError(
          404,
          'Forbidden.ResourceNotFound',
          'The specified version stage does not exist.',
        )
      return c.json({
        RequestId: requestId,
        SecretName: secret.name,
        VersionId: v.versionId,
        CreateTime: formatTimestamp(v.created),
        SecretData: JSON.stringify({
          AccessKeyId: v.accessKeyId,
          AccessKeySecret: v.accessKeySecret,
          GenerateTimestamp: formatTimestamp(v.created),
        }),
        SecretDataType: 'text',
        SecretType: 'RAMCredentials',
        VersionStages: { VersionStage: [stage] },
        AutomaticRotation: 'Enabled',
        RotationInterval: `${secret.rotationIntervalSeconds}s`,
        NextRotationDate: formatTimestamp(secret.nextRotation),
        LastRotationDate: formatTimestamp(secret.lastRotation),
        ...(auth.params.FetchExtendedConfig === 'true'
          ? {
              ExtendedConfig: JSON.stringify({
                SecretSubType: 'RamUserAccessKey',
                UserName: secret.user.userName,
              }),
            }
          : {}),
      })
    } catch (error) {
      const e =
        error instanceof KmsError
          ? error
          : error instanceof StsEmulatorError
            ? new KmsError(
                STS_ERRORS[error.code].status,
                error.code,
                STS_ERRORS[error.code].message,
              )
            : new KmsError(500, 'InternalFailure', 'Internal failure.')
      return c.json(
        { HttpStatus: e.status, Code: e.code, Message: e.message, RequestId: requestId },
        e.status as 400,
      )
    }
  })

  return {
    app,
    secrets,
    calls,
    /** While down, every request gets a 503 `ServiceUnavailableTemporary`. */
    setDown: (value: boolean) => void (down = value),
  }
}

/** @public */
export type KmsEmulator = ReturnType<typeof createKmsEmulator>
