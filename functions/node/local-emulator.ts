import type { AddressInfo } from 'node:net'
import { serve } from '@hono/node-server'
import { createDemoWorld } from '../../lib/emulator/demo-world.ts'
import { createStsEmulator } from '../../lib/emulator/sts/sts-emulator.ts'
import { createWorld } from '../../lib/emulator/world.ts'
import { nodeRandomBytes } from './deps.ts'

/** Listens on a host and resolves with the bound port (0 picks an ephemeral one). */
export const listenOn = (fetch: (req: Request) => Response | Promise<Response>, hostname: string, port: number) =>
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
export const listenLoopback = (fetch: (req: Request) => Response | Promise<Response>, port: number) =>
  listenOn(fetch, '127.0.0.1', port)

/**
 * Starts the embedded Alibaba emulator (STS for now) on its own loopback port, with a demo world
 * whose keys are minted at this start.
 */
export const startLocalEmulator = async (options: { port?: number; now?: () => Date } = {}) => {
  const deps = { now: options.now ?? (() => new Date()), randomBytes: nodeRandomBytes }
  const world = createWorld(deps)
  const externalId = `demo-${Buffer.from(nodeRandomBytes(9)).toString('hex')}`
  const demo = createDemoWorld(world, externalId)
  const sts = createStsEmulator(world, deps)
  const listener = await listenLoopback(sts.app.fetch, options.port ?? 0)
  return {
    stsEndpoint: `http://127.0.0.1:${listener.port}`,
    world,
    demo: { ...demo, externalId },
    calls: sts.calls,
    /** The STS emulator's handler, for in-process use (tests put a man-in-the-middle here). */
    stsFetch: sts.app.fetch,
    injectFaults: sts.injectFaults,
    clearFaults: sts.clearFaults,
    close: listener.close,
  }
}
