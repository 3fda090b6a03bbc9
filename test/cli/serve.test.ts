import { createServer } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { createStsClient } from '../../lib/sts/client.ts'
import { randomHexId } from '../../lib/runtime/deps.ts'
import { killCliChildren, runCli } from '../helpers/cli.ts'
import { CHILD_PROCESS_TIMEOUT_MS } from '../helpers/timeouts.ts'

afterEach(killCliChildren)
const run = runCli

describe('credvend serve', { timeout: CHILD_PROCESS_TIMEOUT_MS }, () => {
  it('--local serves /healthz and the emulator, whose printed demo keys work', async () => {
    const cli = run(['serve', '--local'], { PORT: '0' })
    const [, appUrl] = await cli.output(/credvend app\s+(http:\/\/127\.0\.0\.1:\d+)/)
    const [, stsEndpoint, , keyId, secret] = await cli.output(
      /STS emulator\s+(http:\/\/127\.0\.0\.1:(\d+))[\s\S]*AccessKeyId\s+(\S+)\s+AccessKeySecret\s+(\S+)/,
    )
    const health = await fetch(`${appUrl}/healthz`)
    expect([health.status, await health.json()]).toEqual([200, { status: 'ok' }])
    const sts = createStsClient(
      { endpoint: stsEndpoint! },
      { fetch, now: () => new Date(), randomId: randomHexId },
    )
    const me = await sts.getCallerIdentity({
      accessKeyId: keyId!,
      accessKeySecret: secret!,
      source: 'banner',
    })
    expect(me.identityType).toBe('RAMUser')
    expect(cli.stdout()).toContain('LOCAL MODE')
  })

  it('--local prints ready-to-paste curls that return credentials', async () => {
    const cli = run(['serve', '--local'], { PORT: '0' })
    await cli.output(/STS emulator/)
    // Replay each printed curl line as written: method, URL, every -H header and the -d body.
    const curls = cli
      .stdout()
      .split('\n')
      .filter((line) => line.trim().startsWith('curl -s') && line.includes('Authorization'))
    // demo-upload, demo-form, demo-partner, demo-access-key
    expect(curls).toHaveLength(4)
    for (const line of curls) {
      const url = /curl -s (?:-X POST )?(\S+)/.exec(line)![1]!
      const headers = Object.fromEntries(
        [...line.matchAll(/-H '([^:]+): ([^']+)'/g)].map(([, k, v]) => [k!, v!]),
      )
      const data = /-d '([^']+)'/.exec(line)?.[1]
      const res = await fetch(url, {
        method: line.includes('-X POST') ? 'POST' : 'GET',
        headers,
        ...(data ? { body: data } : {}),
      })
      const body = await res.json()
      expect([res.status, body.Code], line).toEqual([200, 'Success'])
      if (data?.includes('"form":true')) {
        expect(body.PostObject.Fields['x-oss-signature']).toMatch(/^[0-9a-f]{64}$/)
        expect(body).not.toHaveProperty('AccessKeySecret')
      } else if (url.endsWith('/demo-access-key')) {
        // A RAM user's own AccessKey, read from KMS: no STS token comes with it.
        expect(body.AccessKeyId).toMatch(/^LTAI/)
        expect(body).not.toHaveProperty('SecurityToken')
      } else expect(body.AccessKeyId).toMatch(/^STS\./)
    }
  })

  it('CREDVEND_LOCAL=1 is the same as --local', async () => {
    const cli = run(['serve'], { PORT: '0', CREDVEND_LOCAL: '1' })
    const [, appUrl] = await cli.output(/credvend app\s+(http:\/\/127\.0\.0\.1:\d+)/)
    expect((await fetch(`${appUrl}/healthz`)).status).toBe(200)
  })

  it('without --local and without a config it exits 2 with a clear message and starts nothing', async () => {
    const cli = run(['serve'], { PORT: '0' })
    expect(await cli.exited).toBe(2)
    expect(cli.stderr()).toMatch(
      /no configuration\. Pass --config FILE \(or set CREDVEND_CONFIG\), or run "credvend serve --local"/,
    )
    expect(cli.stdout()).not.toContain('LOCAL MODE')
    expect(cli.stdout()).not.toContain('STS emulator')
  })

  it('a port already in use is a usage error naming PORT, and nothing is left running', async () => {
    const taken = createServer()
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve))
    const { port } = taken.address() as { port: number }
    try {
      const cli = run(['serve', '--local'], { PORT: String(port) })
      // Exiting at all is the point: the emulator started before the app must not keep it alive.
      expect(await cli.exited).toBe(2)
      expect(cli.stderr()).toContain(`port ${port} is in use`)
      expect(cli.stderr()).toContain('set PORT')
      expect(cli.stdout()).not.toContain('LOCAL MODE')
    } finally {
      await new Promise<void>((resolve) => taken.close(() => resolve()))
    }
  })

  it('a typo in the flag is refused rather than ignored', async () => {
    const cli = run(['serve', '--locale'], { PORT: '0' })
    expect(await cli.exited).toBe(2)
    expect(cli.stderr()).toContain('unknown flag --locale')
  })
})
