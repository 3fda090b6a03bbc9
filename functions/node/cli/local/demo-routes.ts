import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import type { Context } from 'hono'
import { Hono } from 'hono/tiny'

const require = createRequire(import.meta.url)

/**
 * Each file, where the sources keep it and where it is seen from the bundled command in
 * functions/node/dist: the same code runs from both.
 */
const FILES = {
  page: ['./demo/index.html', '../cli/local/demo/index.html'],
  script: ['./demo/demo.js', '../cli/local/demo/demo.js'],
  helper: [
    '../../../../lib/browser/oss-sts-refresher.js',
    '../../../lib/browser/oss-sts-refresher.js',
  ],
}

/** ali-oss is a devDependency: present in a clone, absent from an installed package. */
const aliOssBrowserSdk = () => [require.resolve('ali-oss/dist/aliyun-oss-sdk.min.js')]

/**
 * Serves the first candidate that exists. Files are looked up on each request, so a local server
 * without them (an installed package has neither the page nor ali-oss) still starts, and says why
 * the page is missing.
 */
const asset =
  (candidates: readonly string[] | (() => string[]), type: string) => async (c: Context) => {
    let paths: (string | URL)[] = []
    try {
      paths =
        typeof candidates === 'function'
          ? candidates()
          : candidates.map((p) => new URL(p, import.meta.url))
    } catch {
      paths = []
    }
    for (const path of paths) {
      const body = await readFile(path).catch(() => undefined)
      if (body)
        return new Response(body, {
          headers: { 'Content-Type': type, 'Cache-Control': 'no-store' },
        })
    }
    return c.text('the demo page runs from a clone of the credvend repository (npm start)', 404)
  }

/**
 * The local demo page (local mode only): sign in as a demo user, vend through
 * credvend, upload with ali-oss via the shipped browser helper. `/demo/login` mints demo JWTs,
 * which is why none of this exists outside local mode. ali-oss is a devDependency: the demo
 * runs after `npm install`, never from a production bundle.
 */
export const demoRoutes = (signToken: (sub: string) => Promise<string>) => {
  const demo = new Hono()
  const js = 'text/javascript; charset=utf-8'
  demo.get('/', asset(FILES.page, 'text/html; charset=utf-8'))
  demo.get('/demo.js', asset(FILES.script, js))
  demo.get('/oss-sts-refresher.js', asset(FILES.helper, js))
  demo.get('/aliyun-oss-sdk.min.js', asset(aliOssBrowserSdk, js))
  demo.post('/login', async (c) => {
    const body = (await c.req.json().catch(() => ({}))) as { user?: unknown }
    if (typeof body.user !== 'string' || !/^[a-z]{1,16}$/.test(body.user))
      return c.json(
        { Code: 'ERR_BAD_REQUEST', Message: 'user must be 1-16 lowercase letters' },
        400,
      )
    return c.json({ token: await signToken(body.user) })
  })
  return demo
}
