import { request as httpRequest } from 'node:http'
import { createRequire } from 'node:module'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startAgent } from '../../functions/node/cli/agent.ts'
import { listenLoopback } from '../../functions/node/cli/local/local-emulator.ts'
import { SVC_PROFILE } from '../helpers/served-vend-harness.ts'
import { startVendHarness, type VendHarness } from '../helpers/vend-harness.ts'

// The official package, called for real: it reads ALIBABA_CLOUD_CREDENTIALS_URI with a bare GET.
const require = createRequire(import.meta.url)
const { default: Credential, Config } = require('@alicloud/credentials') as {
  default: new (config: unknown) => {
    getCredential(): Promise<{ accessKeyId: string; securityToken: string }>
  }
  Config: new (c: Record<string, unknown>) => unknown
}

let h: VendHarness
let server: { port: number; close: () => Promise<void> } | undefined
let url: string

/** A raw GET with headers fetch would not let us set (Host). */
const rawGet = (port: number, path: string, headers: Record<string, string>, method = 'GET') =>
  new Promise<number>((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, method, headers }, (res) => {
      res.resume()
      res.on('end', () => resolve(res.statusCode!))
    })
    req.on('error', reject)
    req.end()
  })

beforeAll(async () => {
  h = await startVendHarness({
    config: (c, emulator) => ({
      ...c,
      // The internal function: it also serves the access-key profile.
      exposeInternalRoutes: true,
      kms: { endpoint: emulator.kmsEndpoint },
      profiles: {
        ...c.profiles,
        svc: SVC_PROFILE,
        'svc-short': {
          kind: 'sts',
          allow: [{ apiKey: 'acme' }],
          roleArn: 'acs:ram::1234567890123456:role/credvend-demo',
          durationSeconds: 900,
        },
        'svc-flex': {
          kind: 'sts',
          allow: [{ apiKey: 'acme' }],
          roleArn: 'acs:ram::1234567890123456:role/credvend-demo',
          durationSeconds: { default: 900, max: 3600 },
        },
        erp: { kind: 'access-key', allow: [{ apiKey: 'acme' }], secretName: 'erp-ram-ak' },
      },
    }),
  })
  server = await listenLoopback(h.app.fetch, 0)
  url = `http://127.0.0.1:${server.port}`
})
afterAll(async () => {
  await server?.close()
  await h.close()
})

describe('credvend agent', () => {
  it('serves the official SDK, and fresh credentials once the first set nears expiry', async () => {
    // Minted 50 minutes "ago": the SDK (real clock) sees them 10 minutes from expiry.
    h.emulator.clock.shift(-50 * 60 * 1000)
    const agent = await startAgent({
      url,
      profiles: ['svc'],
      bearer: async () => h.acmeKey,
      now: h.emulator.now,
    })
    try {
      const sdk = new Credential(
        new Config({ type: 'credentials_uri', credentialsURI: agent.uris.get('svc') }),
      )
      const first = await sdk.getCredential()
      expect(first.accessKeyId).toMatch(/^STS\./)
      expect(h.emulator.world.findSession(first.accessKeyId)!.sessionName).toBe('key.acme')
      h.emulator.clock.reset()
      // The agent's clock now says its copy is due; the SDK asks again because < 15 min remain.
      const second = await sdk.getCredential()
      expect(second.accessKeyId).not.toBe(first.accessKeyId)
      expect(
        h.emulator.world.findSession(second.accessKeyId)!.expiresAt.getTime() - Date.now(),
      ).toBeGreaterThan(15 * 60 * 1000)
      expect(agent.stores.get('svc')!.stats().fetches).toBe(2)
    } finally {
      h.emulator.clock.reset()
      await agent.close()
    }
  })

  it('answers only the bare GET: Origin, Referer, foreign Hosts, other methods and wrong paths are refused', async () => {
    const agent = await startAgent({
      url,
      profiles: ['svc'],
      bearer: async () => h.acmeKey,
      now: h.emulator.now,
    })
    try {
      const uri = new URL(agent.uris.get('svc')!)
      expect(uri.hostname).toBe('127.0.0.1')
      expect(uri.pathname).toMatch(/^\/[A-Za-z0-9_-]{43}\/svc$/)
      const host = `127.0.0.1:${agent.port}`
      const outcomes = {
        bare: await rawGet(agent.port, uri.pathname, { host }),
        localhost: await rawGet(agent.port, uri.pathname, { host: `localhost:${agent.port}` }),
        origin: await rawGet(agent.port, uri.pathname, { host, origin: 'https://evil.example' }),
        nullOrigin: await rawGet(agent.port, uri.pathname, { host, origin: 'null' }),
        referer: await rawGet(agent.port, uri.pathname, {
          host,
          referer: 'https://evil.example/page',
        }),
        evilHost: await rawGet(agent.port, uri.pathname, { host: `evil.example:${agent.port}` }),
        rebinding: await rawGet(agent.port, uri.pathname, {
          host: `127.0.0.1.nip.io:${agent.port}`,
        }),
        rebindingNoPort: await rawGet(agent.port, uri.pathname, { host: '127.0.0.1.nip.io' }),
        otherPort: await rawGet(agent.port, uri.pathname, { host: '127.0.0.1:1' }),
        post: await rawGet(agent.port, uri.pathname, { host }, 'POST'),
        wrongPath: await rawGet(agent.port, `/${'A'.repeat(43)}/svc`, { host }),
        noSecret: await rawGet(agent.port, '/svc', { host }),
        unknownProfile: await rawGet(agent.port, uri.pathname.replace(/svc$/, 'other'), { host }),
      }
      expect(outcomes).toEqual({
        bare: 200,
        localhost: 200,
        origin: 403,
        nullOrigin: 403,
        referer: 403,
        evilHost: 403,
        rebinding: 403,
        rebindingNoPort: 403,
        otherPort: 403,
        post: 405,
        wrongPath: 404,
        noSecret: 404,
        unknownProfile: 404,
      })
      const body = await (await fetch(uri)).json()
      expect(Object.keys(body).sort()).toEqual([
        'AccessKeyId',
        'AccessKeySecret',
        'Code',
        'Expiration',
        'SecurityToken',
      ])
    } finally {
      await agent.close()
    }
  })

  it('refreshes once for concurrent requests, keeps serving valid credentials while the server is down, then fails closed', async () => {
    const agent = await startAgent({
      url,
      profiles: ['svc'],
      bearer: async () => h.acmeKey,
      now: h.emulator.now,
    })
    const store = agent.stores.get('svc')!
    const uri = agent.uris.get('svc')!
    try {
      h.emulator.clock.shift(36 * 60 * 1000) // past the agent's refresh point (25 min before expiry)
      const bodies = await Promise.all(
        Array.from({ length: 20 }, async () => (await fetch(uri)).json()),
      )
      expect(new Set(bodies.map((b) => b.AccessKeyId)).size).toBe(1)
      expect(store.stats().fetches).toBe(2)

      await server!.close() // credvend goes away
      server = undefined
      h.emulator.clock.shift((36 + 40) * 60 * 1000) // due again; the server cannot answer
      const during = await fetch(uri)
      expect(during.status).toBe(200)
      expect((await during.json()).AccessKeyId).toBe(bodies[0].AccessKeyId)
      expect(store.stats().failures).toBeGreaterThanOrEqual(1)
      const failuresBefore = store.stats().failures
      for (let i = 0; i < 20; i++) expect((await fetch(uri)).status).toBe(200) // backoff: no retry storm
      expect(store.stats().failures - failuresBefore).toBeLessThanOrEqual(1)

      h.emulator.clock.shift((36 + 61) * 60 * 1000) // past their expiry
      expect((await fetch(uri)).status).toBe(503)
    } finally {
      h.emulator.clock.reset()
      server ??= await listenLoopback(h.app.fetch, 0)
      url = `http://127.0.0.1:${server.port}`
      await agent.close()
    }
  })

  it('serves a 900-second profile, and replaces each set once half its lifetime has passed', async () => {
    const agent = await startAgent({
      url,
      profiles: ['svc-short'],
      bearer: async () => h.acmeKey,
      now: h.emulator.now,
    })
    const store = agent.stores.get('svc-short')!
    try {
      const sdk = new Credential(
        new Config({ type: 'credentials_uri', credentialsURI: agent.uris.get('svc-short') }),
      )
      const first = await sdk.getCredential()
      const session = h.emulator.world.findSession(first.accessKeyId)!
      expect(session.expiresAt.getTime() - h.emulator.now().getTime()).toBeLessThanOrEqual(
        900 * 1000,
      )
      h.emulator.clock.shift(6 * 60 * 1000) // 9 of 15 minutes left: the same set is served
      expect((await sdk.getCredential()).accessKeyId).toBe(first.accessKeyId)
      expect(store.stats().fetches).toBe(1)
      // 7 minutes left, under half: the agent fetches, and credvend (whose copy is under half
      // too) mints a new set. The SDK asks the agent on every call, as under 15 minutes remain.
      h.emulator.clock.shift(8 * 60 * 1000)
      const second = await sdk.getCredential()
      expect(second.accessKeyId).not.toBe(first.accessKeyId)
      expect(store.stats().fetches).toBe(2)
      expect(h.emulator.world.findSession(second.accessKeyId)!.sessionName).toBe('key.acme')
    } finally {
      h.emulator.clock.reset()
      await agent.close()
    }
  })

  it('asks for the duration it is given, which a profile allowing longer on request grants', async () => {
    const lifetimeOf = async (durationSeconds?: number) => {
      const agent = await startAgent({
        url,
        profiles: ['svc-flex'],
        bearer: async () => h.acmeKey,
        now: h.emulator.now,
        durationSeconds,
      })
      try {
        const body = await (await fetch(agent.uris.get('svc-flex')!)).json()
        const session = h.emulator.world.findSession(body.AccessKeyId)!
        return session.expiresAt.getTime() - h.emulator.now().getTime()
      } finally {
        await agent.close()
      }
    }
    expect(await lifetimeOf()).toBeLessThanOrEqual(900 * 1000)
    expect(await lifetimeOf(3600)).toBeGreaterThan(50 * 60 * 1000)
  })

  it('refuses an access-key profile at start, with or without a duration', async () => {
    for (const durationSeconds of [undefined, 3600]) {
      await expect(
        startAgent({
          url,
          profiles: ['svc', 'erp'],
          bearer: async () => h.acmeKey,
          now: h.emulator.now,
          durationSeconds,
        }),
      ).rejects.toThrow(/^profile erp: an access-key profile .*credvend exec or credvend process$/)
    }
  })
})
