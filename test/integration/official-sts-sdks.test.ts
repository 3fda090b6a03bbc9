import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createStsClient } from '../../lib/sts/client.ts'
import { randomHexId } from '../../lib/runtime/deps.ts'
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.ts'
import { startInterceptor } from '../helpers/interceptor.ts'
import { alibabaCode, OFFICIAL_STS_CLIENTS, type KeyPair } from '../helpers/official-sts-clients.ts'

let emulator: TestEmulator
let mitm: Awaited<ReturnType<typeof startInterceptor>>

beforeAll(async () => {
  emulator = await startTestEmulator()
  mitm = await startInterceptor(emulator.stsFetch)
})
afterAll(async () => {
  await mitm?.close()
  await emulator?.close()
})

const vendorKeys = (): KeyPair => emulator.demo.vendor
const role = () => ({ roleArn: emulator.demo.appRole.arn, roleSessionName: 'oracle-session' })

/** STS credentials minted by credvend's own client at the emulator's (possibly shifted) time. */
const mintWithOwnClient = async () => {
  const sts = createStsClient(
    { endpoint: emulator.stsEndpoint },
    { fetch, now: emulator.now, randomId: randomHexId },
  )
  const { credentials } = await sts.assumeRole(
    { ...emulator.demo.vendor, source: 'test' },
    { ...role(), durationSeconds: 900 },
  )
  return credentials
}

/** How each client puts its request on the wire, so each verifier path is proven exercised. */
const WIRE_SHAPE: Record<
  string,
  (r: { url: string; headers: Record<string, string>; body: string }) => boolean
> = {
  '@alicloud/sts20150401 (default ACS3)': (r) =>
    r.headers.authorization?.startsWith('ACS3-HMAC-SHA256 ') === true &&
    r.url.includes('RoleSessionName='),
  "@alicloud/sts20150401 ('v2' RPC, query)": (r) => r.url.includes('Signature=') && r.body === '',
  '@alicloud/pop-core (RPC, form body)': (r) =>
    r.body.includes('Signature=') && !r.url.includes('Signature='),
}

for (const [name, makeClient] of Object.entries(OFFICIAL_STS_CLIENTS)) {
  describe(`${name} against the STS emulator`, () => {
    const client = (keys: KeyPair = vendorKeys()) => makeClient(mitm.endpoint, keys)
    const control = async () => {
      const creds = await client().assumeRole(role())
      expect(creds.accessKeyId).toMatch(/^STS\./)
      return creds
    }

    it('gets credentials, and GetCallerIdentity with them names the role and session', async () => {
      const creds = await control()
      expect(WIRE_SHAPE[name]!(mitm.recorded.at(-1)!)).toBe(true)
      expect(creds.securityToken?.length).toBeGreaterThanOrEqual(1000)
      expect(creds.expiration).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/)
      const me = await client(creds).getCallerIdentity()
      expect(me.identityType).toBe('AssumedRoleUser')
      expect(me.arn).toBe(
        `acs:ram::${emulator.demo.accountId}:assumed-role/credvend-demo/oracle-session`,
      )
    })

    it("signs a session policy whose `*!'()` the SDK leaves raw on the wire, and the emulator agrees", async () => {
      const policy = JSON.stringify({
        Version: '1',
        Statement: [
          { Effect: 'Allow', Action: 'oss:Get*', Resource: "acs:oss:*:*:demo-bucket/it's(ok)!/*" },
        ],
      })
      const creds = await client().assumeRole({ ...role(), policy })
      expect(creds.accessKeyId).toMatch(/^STS\./)
      const sent = mitm.recorded.at(-1)!
      expect(`${sent.url}${sent.body}`).toMatch(/Policy=/)
    })

    it('is refused with a wrong secret (SignatureDoesNotMatch); the right secret works', async () => {
      // Another last character, whatever the minted secret ends with (ending in x, it would not be wrong).
      const right = vendorKeys().accessKeySecret
      const wrong = {
        ...vendorKeys(),
        accessKeySecret: `${right.slice(0, -1)}${right.endsWith('x') ? 'y' : 'x'}`,
      }
      expect(await alibabaCode(client(wrong).assumeRole(role()))).toBe('SignatureDoesNotMatch')
      await control()
    })

    it('is refused when a signed parameter is tampered with in transit; untouched it works', async () => {
      mitm.tamper((text) => text.replace('oracle-session', 'oracle-sessiom'))
      try {
        expect(await alibabaCode(client().assumeRole(role()))).toBe('SignatureDoesNotMatch')
      } finally {
        mitm.tamper(undefined)
      }
      await control()
    })

    it('is refused when a captured request is replayed (SignatureNonceUsed); a fresh one works', async () => {
      await control()
      const captured = mitm.recorded.at(-1)!
      const replayed = await mitm.replay(captured)
      expect(replayed.status).toBe(400)
      expect((await replayed.json()).Code).toBe('SignatureNonceUsed')
      await control()
    })

    it('is refused with a stale timestamp (InvalidTimeStamp.Expired); a current one works', async () => {
      emulator.clock.shift(20 * 60 * 1000)
      try {
        expect(await alibabaCode(client().assumeRole(role()))).toBe('InvalidTimeStamp.Expired')
      } finally {
        emulator.clock.reset()
      }
      await control()
    })

    it('is refused with an expired security token; an unexpired one works', async () => {
      emulator.clock.shift(-2 * 60 * 60 * 1000)
      const stale = await mintWithOwnClient().finally(() => emulator.clock.reset())
      expect(stale.expiration.getTime()).toBeLessThan(Date.now())
      const keys = {
        accessKeyId: stale.accessKeyId,
        accessKeySecret: stale.accessKeySecret,
        securityToken: stale.securityToken,
      }
      expect(await alibabaCode(client(keys).getCallerIdentity())).toBe(
        'InvalidSecurityToken.Expired',
      )
      const fresh = await mintWithOwnClient()
      const me = await client({ ...fresh }).getCallerIdentity()
      expect(me.identityType).toBe('AssumedRoleUser')
    })
  })
}
