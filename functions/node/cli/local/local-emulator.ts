import type { AddressInfo } from 'node:net'
import { serve } from '@hono/node-server'
import { createDemoWorld } from '../../../../lib/emulator/demo-world.ts'
import { createKmsEmulator } from '../../../../lib/emulator/kms/kms-emulator.ts'
import { createOssEmulator } from '../../../../lib/emulator/oss/oss-emulator.ts'
import { browserUploadCors } from '../../../../lib/emulator/oss/oss-store.ts'
import { createStsEmulator } from '../../../../lib/emulator/sts/sts-emulator.ts'
import { createWorld } from '../../../../lib/emulator/world.ts'
import { nodeRandomBytes } from '../../platform/deps.ts'

type Handler = (
  req: Request,
  env: { incoming: { url?: string | undefined; socket?: { remoteAddress?: string | undefined } } },
) => Response | Promise<Response>

/** Listens on a host and resolves with the bound port (0 picks an ephemeral one). */
export const listenOn = (fetch: Handler, hostname: string, port: number) =>
  new Promise<{ port: number; close: () => Promise<void> }>((resolve, reject) => {
    const server = serve({ fetch, hostname, port }, (info: AddressInfo) =>
      resolve({
        port: info.port,
        close: () => new Promise<void>((done) => server.close(() => done())),
      }),
    )
    server.once('error', reject)
  })

/** Listens on 127.0.0.1 only. */
export const listenLoopback = (fetch: Handler, port: number) => listenOn(fetch, '127.0.0.1', port)

/** The demo bucket every local start has, and the region it lives in. */
export const DEMO_BUCKET = 'demo-bucket'
export const DEMO_OSS_REGION = 'oss-cn-hangzhou'
/** The demo RAMCredentials secret KMS rotates. */
export const DEMO_RAM_SECRET = 'erp-ram-ak'
/** How often the emulator's KMS rotates a local RAMCredentials secret. */
export const LOCAL_ROTATION_SECONDS = 7 * 24 * 3600

/**
 * What a Node ali-oss client needs against the OSS emulator: ali-oss addresses a bucket as
 * `bucket.localhost`, which browsers resolve and Node does not, so Node clients ask for path style
 * with `sldEnable` (see ali-oss lib/common/client/getReqUrl.ts: a host-name endpoint gets the
 * bucket as a subdomain unless `sldEnable` is set).
 */
export const NODE_ALI_OSS_SETTINGS = { sldEnable: true } as const

/**
 * Starts the embedded Alibaba emulator on its own loopback ports — STS, OSS with a demo bucket
 * whose CORS admits `ossCorsOrigins`, and KMS with a rotating RAMCredentials secret — with a demo world whose keys are minted at this start.
 */
export const startLocalEmulator = async (
  options: {
    port?: number
    ossPort?: number
    now?: () => Date
    ossCorsOrigins?: readonly string[]
  } = {},
) => {
  const deps = { now: options.now ?? (() => new Date()), randomBytes: nodeRandomBytes }
  const world = createWorld(deps)
  const externalId = `demo-${Buffer.from(nodeRandomBytes(9)).toString('hex')}`
  const demo = createDemoWorld(world, externalId)
  const sts = createStsEmulator(world, deps)
  const listener = await listenLoopback(sts.app.fetch, options.port ?? 0)
  const oss = createOssEmulator(world, deps)
  const corsOrigins = [...(options.ossCorsOrigins ?? [])]
  oss.store.createBucket(demo.accountId, DEMO_BUCKET, {
    region: DEMO_OSS_REGION,
    cors: [browserUploadCors(corsOrigins)],
  })
  // OSS keeps the request path as sent: hand the emulator the target before URL parsing resolves `..`.
  const ossListener = await listenLoopback(
    (req, env) => oss.app.fetch(req, { rawTarget: env.incoming.url }),
    options.ossPort ?? 0,
  )
  const kms = createKmsEmulator(world, deps)
  const erpSecret = kms.secrets.createRamSecret(demo.accountId, DEMO_RAM_SECRET, {
    user: demo.erpUser,
    rotationIntervalSeconds: LOCAL_ROTATION_SECONDS,
  })
  const kmsListener = await listenLoopback(kms.app.fetch, 0)
  const stsEndpoint = `http://127.0.0.1:${listener.port}`
  const kmsEndpoint = `http://127.0.0.1:${kmsListener.port}`
  // A host name, not an address: ali-oss then sends `bucket.localhost`, which browsers resolve;
  // Node clients need NODE_ALI_OSS_SETTINGS.
  const ossEndpoint = `http://localhost:${ossListener.port}`
  return {
    stsEndpoint,
    kmsEndpoint,
    kms,
    erpSecret,
    ossEndpoint,
    /** Every service this emulator runs, by name: what the banner lists. */
    endpoints: { STS: stsEndpoint, OSS: ossEndpoint, KMS: kmsEndpoint } as const,
    oss,
    /** Lets a later-known origin (the app's own, once it listens) upload from a browser. */
    allowOssOrigin: (origin: string) => void corsOrigins.push(origin),
    world,
    demo: { ...demo, externalId },
    calls: sts.calls,
    /** The STS emulator's handler, for in-process use (tests put a man-in-the-middle here). */
    stsFetch: sts.app.fetch,
    injectFaults: sts.injectFaults,
    clearFaults: sts.clearFaults,
    setFaultMode: sts.setFaultMode,
    close: async () => {
      await listener.close()
      await ossListener.close()
      await kmsListener.close()
    },
  }
}
