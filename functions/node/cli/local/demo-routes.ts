import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { Hono } from 'hono/tiny'

const here = new URL('./demo/', import.meta.url)
const require = createRequire(import.meta.url)

const asset = (path: string | URL, type: string) => async () =>
  new Response(await readFile(path), {
    headers: { 'Content-Type': type, 'Cache-Control': 'no-store' },
  })

/**
 * The local demo page (local mode only): sign in as a demo user, vend through
 * credvend, upload with ali-oss via the shipped browser helper. `/demo/login` mints demo JWTs,
 * which is why none of this exists outside local mode. ali-oss is a devDependency: the demo
 * runs after `npm install`, never from a production bundle.
 */
export const demoRoutes = (signToken: (sub: string) => Promise<string>) => {
  const demo = new Hono()
  demo.get('/', asset(new URL('index.html', here), 'text/html; charset=utf-8'))
  demo.get('/demo.js', asset(new URL('demo.js', here), 'text/javascript; charset=utf-8'))
  demo.get(
    '/oss-sts-refresher.js',
    asset(
      new URL('../../../../lib/browser/oss-sts-refresher.js', import.meta.url),
      'text/javascript; charset=utf-8',
    ),
  )
  demo.get(
    '/aliyun-oss-sdk.min.js',
    asset(require.resolve('ali-oss/dist/aliyun-oss-sdk.min.js'), 'text/javascript; charset=utf-8'),
  )
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
