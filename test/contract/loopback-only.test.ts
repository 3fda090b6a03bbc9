import http from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { listenLoopback } from '../../functions/node/cli/local/local-emulator.ts'
import { connectTarget, extraDeniedHosts, isLoopbackHost } from '../helpers/loopback.ts'

const refusedCode = (error: unknown): unknown => {
  let e = error as { code?: unknown; cause?: unknown } | undefined
  while (e) {
    if (e.code === 'ERR_TEST_NON_LOOPBACK') return e.code
    e = e.cause as typeof e
  }
  return error instanceof Error ? error.message : error
}

/**
 * The guard is exercised end to end against 127.0.0.2 marked as forbidden: if the guard ever
 * broke, these probes would still only reach this machine, never a real outside address.
 */
describe('test contract: nothing leaves loopback', () => {
  let server: { port: number; close: () => Promise<void> }
  beforeAll(async () => {
    server = await listenLoopback(() => new Response('pong'), 0)
    extraDeniedHosts().add('127.0.0.2')
  })
  afterAll(async () => {
    extraDeniedHosts().delete('127.0.0.2')
    await server.close()
  })

  it('refuses fetch (undici) to a forbidden host', async () => {
    const error = await fetch(`http://127.0.0.2:${server.port}/`).catch((e: unknown) => e)
    expect(refusedCode(error)).toBe('ERR_TEST_NON_LOOPBACK')
  })

  it('refuses node:http (what the official SDKs use) to a forbidden host', async () => {
    const outcome = await new Promise((resolve) => {
      http
        .get(`http://127.0.0.2:${server.port}/`, (res) => resolve(`connected ${res.statusCode}`))
        .on('error', resolve)
    })
    expect(refusedCode(outcome)).toBe('ERR_TEST_NON_LOOPBACK')
  })

  it('allows loopback', async () => {
    expect(await (await fetch(`http://127.0.0.1:${server.port}/`)).text()).toBe('pong')
    const viaHttp = await new Promise((resolve) => {
      http
        .get(`http://localhost:${server.port}/`, (res) => resolve(res.statusCode))
        .on('error', resolve)
    })
    expect(viaHttp).toBe(200)
  })

  it('reads the target host from every Socket#connect argument shape', () => {
    const httpAgentShape = [
      [{ protocol: 'http:', host: '100.100.100.200', port: 80, path: null }, () => {}],
    ]
    expect(connectTarget(httpAgentShape)).toBe('100.100.100.200')
    expect(connectTarget([{ host: '10.0.0.1', port: 443 }])).toBe('10.0.0.1')
    expect(connectTarget([80, '100.100.100.200'])).toBe('100.100.100.200')
    expect(connectTarget([{ port: 80 }])).toBe('localhost')
    expect(connectTarget([{ path: '/run/x.sock' }])).toBeUndefined()
  })

  it.each([
    ['127.0.0.1', true],
    ['127.8.9.10', true],
    ['::1', true],
    ['[::1]', true],
    ['localhost', true],
    ['100.100.100.200', false],
    ['10.0.0.1', false],
    ['192.168.1.1', false],
    ['sts.aliyuncs.com', false],
    ['127.0.0.1.nip.io', false],
  ])('isLoopbackHost(%s) → %s', (host, expected) => {
    expect(isLoopbackHost(host)).toBe(expected)
  })
})
