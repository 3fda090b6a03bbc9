import { exportJWK, generateKeyPair, SignJWT } from 'jose'
import { createApiKey } from '../../../../lib/auth/api-key.ts'
import type { ConfigInput } from '../../../../lib/config/schema.ts'
import { nodeRandomBytes } from '../../platform/deps.ts'
import {
  DEMO_BUCKET,
  DEMO_OSS_REGION,
  DEMO_RAM_SECRET,
  type startLocalEmulator,
} from './local-emulator.ts'

type Emulator = Awaited<ReturnType<typeof startLocalEmulator>>

const DEMO_ISSUER = 'https://login.credvend.local'

/**
 * The configuration `credvend serve --local` runs with: a JWT issuer and an API key whose keys are
 * minted at this start, OSS upload profiles (ali-oss and PostObject form) scoped to each caller's
 * own prefix, a partner profile with an ExternalId, and an access-key profile serving the KMS-rotated
 * AccessKey of the demo's legacy RAM user. Secrets reach the config only as `{ env }` references,
 * resolved from the returned record, exactly as in production.
 */
export const createDemoConfig = async (emulator: Emulator, appOrigins: readonly string[] = []) => {
  const { privateKey, publicKey } = await generateKeyPair('ES256')
  const jwk = {
    ...(await exportJWK(publicKey)),
    kid: 'demo-1',
    alg: 'ES256',
    use: 'sig',
    kty: 'EC',
  }
  const random = (n: number) => new Uint8Array(nodeRandomBytes(n))
  const apiKey = await createApiKey('demo', random)
  const serviceKey = await createApiKey('demo-service', random)
  const env = {
    CREDVEND_DEMO_EXTERNAL_ID: emulator.demo.externalId,
    CREDVEND_DEMO_KEY_SHA256: apiKey.sha256,
    CREDVEND_DEMO_SERVICE_KEY_SHA256: serviceKey.sha256,
    CREDVEND_DEMO_SESSION_NAME_KEY: Buffer.from(nodeRandomBytes(32)).toString('hex'),
  }
  // What both demo upload profiles share: who, which role, which bucket, which browser origins.
  const demoBucket = {
    kind: 'oss-upload' as const,
    allow: [{ jwt: 'demo-login' }],
    roleArn: emulator.demo.appRole.arn,
    bucket: DEMO_BUCKET,
    region: DEMO_OSS_REGION,
    endpoint: emulator.ossEndpoint,
    corsOrigins: [...appOrigins],
  }
  const config: ConfigInput = {
    region: 'cn-hangzhou',
    sts: { endpoint: emulator.stsEndpoint },
    kms: { endpoint: emulator.kmsEndpoint },
    callers: {
      jwt: [
        {
          id: 'demo-login',
          issuer: DEMO_ISSUER,
          audience: 'credvend',
          algorithms: ['ES256'],
          jwks: { keys: [jwk] },
        },
      ],
      apiKeys: [
        { id: 'demo', sha256: [{ env: 'CREDVEND_DEMO_KEY_SHA256' }] },
        { id: 'demo-service', sha256: [{ env: 'CREDVEND_DEMO_SERVICE_KEY_SHA256' }] },
      ],
    },
    sourcePrincipal: emulator.demo.vendorArn,
    sessionNameKey: { env: 'CREDVEND_DEMO_SESSION_NAME_KEY' },
    // Every local caller is 127.0.0.1, so a per-address limit would be one limit for everyone.
    limits: { perSourceAddress: null },
    profiles: {
      'demo-upload': {
        ...demoBucket,
        // One issuer only may use this profile, so its `sub` alone names the user.
        prefix: 'users/${caller.sub}/',
        actions: ['put', 'multipart', 'list', 'read'],
        durationSeconds: { default: 900, max: 3600 },
      },
      'demo-form': {
        ...demoBucket,
        prefix: 'users/${caller.sub}/forms/',
        actions: ['put'],
        form: {
          maxSizeBytes: 1024 * 1024,
          contentTypes: ['text/plain', 'image/png', 'image/jpeg', 'application/octet-stream'],
        },
        durationSeconds: 900,
      },
      'demo-partner-chain': {
        kind: 'sts',
        allow: [{ apiKey: 'demo' }],
        roleArn: emulator.demo.partnerChainRole.arn,
        via: [{ roleArn: emulator.demo.hubRole.arn }],
        externalId: { env: 'CREDVEND_DEMO_EXTERNAL_ID' },
        sessionName: 'pseudonymous',
        durationSeconds: 900,
      },
      'demo-partner': {
        kind: 'sts',
        allow: [{ apiKey: 'demo' }],
        roleArn: emulator.demo.partnerRole.arn,
        externalId: { env: 'CREDVEND_DEMO_EXTERNAL_ID' },
        sessionName: 'pseudonymous',
        durationSeconds: 3600,
      },
      // A long-lived AccessKey, so only its own service key opens it: never the demo login,
      // whose tokens /demo/login mints for anyone who asks.
      'demo-access-key': {
        kind: 'access-key',
        allow: [{ apiKey: 'demo-service' }],
        secretName: DEMO_RAM_SECRET,
      },
    },
    // Access-key profiles are served only where internal routes are; local mode listens on
    // loopback alone, so /metrics and /openapi.json reach no one else.
    exposeInternalRoutes: true,
  }
  const signToken = (sub: string) =>
    new SignJWT({})
      .setProtectedHeader({ alg: 'ES256', kid: 'demo-1', typ: 'JWT' })
      .setIssuer(DEMO_ISSUER)
      .setAudience('credvend')
      .setSubject(sub)
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(privateKey)
  return {
    config,
    env,
    apiKey: apiKey.key,
    serviceKey: serviceKey.key,
    signToken,
    demoToken: await signToken('alice'),
  }
}
