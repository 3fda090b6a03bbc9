import type { ConfigInput } from '../../lib/config/schema.ts'
import { listenLoopback } from '../../functions/node/cli/local/local-emulator.ts'
import { startVendHarness } from './vend-harness.ts'

/** The STS profile the client-command tests vend: the demo role, for an hour, to the `acme` key. */
export const SVC_PROFILE: ConfigInput['profiles'][string] = {
  kind: 'sts',
  allow: [{ apiKey: 'acme' }],
  roleArn: 'acs:ram::1234567890123456:role/credvend-demo',
  durationSeconds: 3600,
}

/**
 * A vend harness with `SVC_PROFILE` as `svc`, served on a loopback port as a client command or an
 * agent reaches credvend.
 */
export const startServedVendHarness = async () => {
  const h = await startVendHarness({
    config: (c) => ({ ...c, profiles: { ...c.profiles, svc: SVC_PROFILE } }),
  })
  const server = await listenLoopback(h.app.fetch, 0)
  return {
    h,
    url: `http://127.0.0.1:${server.port}`,
    close: async () => {
      await server.close()
      await h.close()
    },
  }
}
