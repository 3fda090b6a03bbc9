import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MAX_JWT_BYTES } from '../../lib/auth/authenticator.ts'
import { TOKEN_CACHE_MAX_BYTES } from '../../lib/auth/token-cache.ts'
import { heavyIssuer, type measureRetainedHeap } from '../helpers/heavy-tokens.ts'
import { CHILD_PROCESS_TIMEOUT_MS } from '../helpers/timeouts.ts'
import { startVendHarness, withIssuers, type VendHarness } from '../helpers/vend-harness.ts'

const TOKENS = 10_000

/**
 * The heap 10,000 distinct near-cap tokens may leave behind. Whole payloads kept them at about
 * 130 MB, a Workers isolate's entire memory; kept claims under an 8 MiB budget measure about
 * 5 MB. The margin absorbs V8 and Node version differences, not growth.
 */
const RETAINED_HEAP_BOUND = 20 * 1024 * 1024

let h: VendHarness
let issuer: Awaited<ReturnType<typeof heavyIssuer>>

beforeAll(async () => {
  issuer = await heavyIssuer()
  h = await startVendHarness({
    config: (c, emulator) => ({
      ...withIssuers(c, issuer.config),
      profiles: {
        ...c.profiles,
        tenant: {
          kind: 'sts',
          allow: [{ jwt: issuer.config.id, claims: { tenant: 'acme' } }],
          roleArn: emulator.demo.appRole.arn,
          durationSeconds: 900,
        },
      },
    }),
  })
})
afterAll(() => h.close())

const vend = async (token: string) => {
  const res = await h.request('/v1/credentials/tenant', { token })
  return [res.status, res.json().Code]
}
const nowSeconds = () => Math.floor(h.emulator.now().getTime() / 1000)

describe('hostile token sizes', () => {
  it('a near-cap token still vends through a rule on a claim it carries', async () => {
    const token = await issuer.mint(1, nowSeconds())
    expect(token.length).toBeGreaterThan(14_000)
    expect(await vend(token)).toEqual([200, 'Success'])
    // A profile the caller may not use is answered as if it did not exist.
    expect(await vend(await issuer.mint(2, nowSeconds(), { tenant: 'other' }))).toEqual([
      404,
      'ERR_NOT_FOUND',
    ])
  })

  it('a token over the cap is 401 ERR_AUTH_MALFORMED', async () => {
    const token = await issuer.mint(3, nowSeconds(), {}, MAX_JWT_BYTES + 100)
    expect(await vend(token)).toEqual([401, 'ERR_AUTH_MALFORMED'])
  })

  it(
    `${TOKENS} distinct near-cap tokens leave less than ${RETAINED_HEAP_BOUND / 2 ** 20} MiB of heap`,
    async () => {
      // gc() needs --expose-gc, which a vitest worker does not have: measure in a child.
      const script = `import('./test/helpers/heavy-tokens.ts')
        .then((m) => m.measureRetainedHeap(${TOKENS}))
        .then((r) => console.log(JSON.stringify(r)))`
      const { stdout } = await promisify(execFile)(
        process.execPath,
        ['--expose-gc', '--import', 'tsx', '--input-type=module', '-e', script],
        { timeout: CHILD_PROCESS_TIMEOUT_MS - 10_000, maxBuffer: 1 << 20 },
      )
      const r = JSON.parse(stdout) as Awaited<ReturnType<typeof measureRetainedHeap>>
      expect(r.count).toBe(TOKENS)
      expect(r.longestToken).toBeGreaterThan(14_000)
      expect(r.longestToken).toBeLessThanOrEqual(r.maxJwtBytes)
      expect(r.cacheBytes).toBeLessThanOrEqual(TOKEN_CACHE_MAX_BYTES)
      expect(r.cacheEntries).toBeGreaterThan(0)
      expect(r.retainedBytes).toBeLessThan(RETAINED_HEAP_BOUND)
    },
    CHILD_PROCESS_TIMEOUT_MS,
  )
})
