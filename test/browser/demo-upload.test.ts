import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, expect, it, vi } from 'vitest'
import { startServer } from '../../functions/node/cli/serve.ts'
import { chromiumAvailable, launchChromium } from '../helpers/chromium.ts'
import { describeWithSystemDep } from '../helpers/system-deps.ts'
import { CHILD_PROCESS_TIMEOUT_MS } from '../helpers/timeouts.ts'

type Server = Extract<Awaited<ReturnType<typeof startServer>>, { emulator: unknown }>

describeWithSystemDep(
  'chromium',
  chromiumAvailable,
  'the demo page in real headless Chromium',
  () => {
    let server: Server
    let browser: Browser
    let port: string

    beforeAll(async () => {
      vi.spyOn(console, 'log').mockImplementation(() => {})
      // Exactly what `npm start` runs, on an ephemeral port.
      server = (await startServer({ local: true }, { PORT: '0' })) as Server
      port = new URL(server.appUrl).port
      browser = await launchChromium()
    }, CHILD_PROCESS_TIMEOUT_MS)
    afterAll(async () => {
      await browser?.close()
      await server?.close()
      vi.restoreAllMocks()
    })

    const settled = (page: Page) =>
      page.waitForFunction(() =>
        ['ok', 'failed'].includes(
          document.querySelector('#status')!.getAttribute('data-outcome') ?? '',
        ),
      )

    const upload = async (page: Page, key: string, multipart = false) => {
      await page.evaluate(() => document.querySelector('#status')!.setAttribute('data-outcome', ''))
      await page.fill('#key', key)
      await page.setChecked('#multipart', multipart)
      await page.click('#upload')
      await settled(page)
      return {
        outcome: await page.getAttribute('#status', 'data-outcome'),
        text: await page.textContent('#status'),
      }
    }

    it(
      "signs in, uploads to the user's own prefix (single and multipart), and is refused for another user's",
      async () => {
        const page = await browser.newPage()
        // Page on one origin, credvend called on another that its profile lists: real CORS on both hops.
        await page.goto(`http://localhost:${port}/demo/?api=http://127.0.0.1:${port}`)
        await page.selectOption('#user', 'alice')
        await page.click('#login')
        await settled(page)
        expect(await page.textContent('#status')).toContain(
          'Uploads go to demo-bucket/users/alice/',
        )

        expect(await upload(page, 'users/alice/hello.txt')).toMatchObject({ outcome: 'ok' })
        await page.setInputFiles('#file', {
          name: 'big.bin',
          mimeType: 'application/octet-stream',
          buffer: Buffer.alloc(350 * 1024, 7),
        })
        // Multipart needs each part's ETag, which a browser sees only if bucket CORS exposes it.
        expect(await upload(page, 'users/alice/big.bin', true)).toMatchObject({ outcome: 'ok' })
        const refused = await upload(page, 'users/bob/evil.txt')
        expect(refused.outcome).toBe('failed')
        expect(refused.text).toContain('AccessDenied')
        await page.waitForFunction(() => document.querySelectorAll('#listing li').length >= 2)
        expect(await page.textContent('#listing')).toContain('users/alice/big.bin (358400 bytes)')

        const keys = server.emulator.oss.store.keys('demo-bucket')
        expect(keys).toEqual(
          expect.arrayContaining(['users/alice/hello.txt', 'users/alice/big.bin']),
        )
        expect(keys.filter((k) => !k.startsWith('users/alice/'))).toEqual([])
        await page.close()
      },
      CHILD_PROCESS_TIMEOUT_MS,
    )

    it(
      'a page on an unlisted origin cannot call credvend: the preflight fails',
      async () => {
        const page = await browser.newPage()
        // Any page not on a listed origin: the OSS emulator's own address will do.
        await page.goto(`${server.emulator.ossEndpoint.replace('localhost', '127.0.0.1')}/`)
        const result = await page.evaluate(async (url) => {
          try {
            const res = await fetch(url, {
              method: 'POST',
              headers: { authorization: 'Bearer whatever' },
            })
            return `answered ${res.status}`
          } catch (error) {
            return `refused: ${(error as Error).message}`
          }
        }, `http://127.0.0.1:${port}/v1/credentials/demo-upload`)
        expect(result).toBe('refused: Failed to fetch')
        // The same call from a listed origin goes through (and is then refused for its bad token).
        const listed = await browser.newPage()
        await listed.goto(`http://localhost:${port}/demo/`)
        const answered = await listed.evaluate(
          async (url) =>
            (await fetch(url, { method: 'POST', headers: { authorization: 'Bearer whatever' } }))
              .status,
          `http://127.0.0.1:${port}/v1/credentials/demo-upload`,
        )
        expect(answered).toBe(401)
        await page.close()
        await listed.close()
      },
      CHILD_PROCESS_TIMEOUT_MS,
    )
  },
)
