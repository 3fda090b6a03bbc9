import { spawn } from 'node:child_process'
import { afterEach, describe, expect, it } from 'vitest'
import { createStsClient } from '../../lib/sts/client.ts'
import { randomHexId } from '../../lib/runtime/deps.ts'

/**
 * `credvend serve` as a user runs it (through tsx, as `npm start` does). The child binds only
 * 127.0.0.1 and makes no outbound calls; the test talks to it on loopback.
 */
const children: ReturnType<typeof spawn>[] = []
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGTERM')
})

const run = (args: string[], env: Record<string, string | undefined>) => {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, CREDVEND_CONFIG: undefined, CREDVEND_LOCAL: undefined, ...env }
  const child = spawn(process.execPath, ['--import', 'tsx', 'functions/node/cli.ts', ...args], { env: childEnv })
  children.push(child)
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (d) => (stdout += d))
  child.stderr.on('data', (d) => (stderr += d))
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve))
  const output = (pattern: RegExp) =>
    new Promise<RegExpMatchArray>((resolve, reject) => {
      const check = () => {
        const match = stdout.match(pattern)
        if (match) resolve(match)
      }
      child.stdout.on('data', check)
      void exited.then(() => reject(new Error(`exited before printing ${pattern}: ${stderr}`)))
      check()
    })
  return { child, exited, output, stderr: () => stderr, stdout: () => stdout }
}

describe('credvend serve', () => {
  it('--local serves /healthz and the emulator, whose printed demo keys work', async () => {
    const cli = run(['serve', '--local'], { PORT: '0' })
    const [, appUrl] = await cli.output(/credvend app\s+(http:\/\/127\.0\.0\.1:\d+)/)
    const [, stsEndpoint, , keyId, secret] = await cli.output(
      /STS emulator\s+(http:\/\/127\.0\.0\.1:(\d+))[\s\S]*AccessKeyId\s+(\S+)\s+AccessKeySecret\s+(\S+)/,
    )
    const health = await fetch(`${appUrl}/healthz`)
    expect([health.status, await health.json()]).toEqual([200, { status: 'ok' }])
    const sts = createStsClient({ endpoint: stsEndpoint! }, { fetch, now: () => new Date(), randomId: randomHexId })
    const me = await sts.getCallerIdentity({ accessKeyId: keyId!, accessKeySecret: secret!, source: 'banner' })
    expect(me.identityType).toBe('RAMUser')
    expect(cli.stdout()).toContain('LOCAL MODE')
  })

  it('CREDVEND_LOCAL=1 is the same as --local', async () => {
    const cli = run(['serve'], { PORT: '0', CREDVEND_LOCAL: '1' })
    const [, appUrl] = await cli.output(/credvend app\s+(http:\/\/127\.0\.0\.1:\d+)/)
    expect((await fetch(`${appUrl}/healthz`)).status).toBe(200)
  })

  it('without --local and without a config it exits 2 with a clear message and starts nothing', async () => {
    const cli = run(['serve'], { PORT: '0' })
    expect(await cli.exited).toBe(2)
    expect(cli.stderr()).toMatch(/no configuration\. Set CREDVEND_CONFIG=.* or run "credvend serve --local"/)
    expect(cli.stdout()).not.toContain('LOCAL MODE')
    expect(cli.stdout()).not.toContain('STS emulator')
  })

  it('a typo in the flag is refused rather than ignored', async () => {
    const cli = run(['serve', '--locale'], { PORT: '0' })
    expect(await cli.exited).toBe(2)
    expect(cli.stderr()).toContain('unknown option --locale')
  })
})
