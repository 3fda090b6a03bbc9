import { chmod, cp, mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import {
  bundleFc,
  bundleFcChunks,
  bundleFcRedis,
  bundleFcServer,
  REDIS_CHUNK,
} from './bundle-fc.ts'

/** The built-in runtime's handler file (`index.handler`). */
export const FC_HANDLER_FILE = 'index.js'
/** The custom runtime's server, started by `bootstrap`. */
export const FC_SERVER_FILE = 'server.js'
/** What `customRuntimeConfig.command` runs. */
export const FC_BOOTSTRAP_FILE = 'bootstrap'

/**
 * The custom runtime's start command. FC's Debian custom runtimes carry Node.js 20 under
 * /var/fc/lang/nodejs20 (https://www.alibabacloud.com/help/en/functioncompute/fc/custom-runtime/);
 * a node already on PATH (a test, a local run) is used when that directory does not exist.
 */
const BOOTSTRAP = `#!/bin/sh
# credvend on an FC 3.0 custom runtime: the HTTP server on the port FC gives the runtime.
if [ -d /var/fc/lang/nodejs20/bin ]; then PATH=/var/fc/lang/nodejs20/bin:$PATH; fi
cd "$(dirname "$0")" && exec node ${FC_SERVER_FILE}
`

/**
 * Writes the code package both FC shapes deploy into `dir`: `index.js` (the built-in runtime's
 * handler), `server.js` and `bootstrap` (the custom runtime), the files of what a cold instance
 * rarely needs (bundle-fc.ts: the OpenAPI document, the config scanner, the URL and form signers,
 * and `connect-redis.js`, ioredis, loaded only with a redis section), a `package.json` marking it CommonJS, and `config/` copied from
 * `infra/config/`. Returns the files written, relative to `dir`.
 */
export const buildFcPackage = async (dir: string): Promise<string[]> => {
  await mkdir(dir, { recursive: true })
  const [handler, server, redis, chunks] = await Promise.all([
    bundleFc(),
    bundleFcServer(),
    bundleFcRedis(),
    bundleFcChunks(),
  ])
  await writeFile(join(dir, FC_HANDLER_FILE), handler)
  await writeFile(join(dir, FC_SERVER_FILE), server)
  await writeFile(join(dir, REDIS_CHUNK), redis)
  for (const { chunk, text } of chunks) await writeFile(join(dir, chunk), text)
  await writeFile(join(dir, FC_BOOTSTRAP_FILE), BOOTSTRAP)
  await chmod(join(dir, FC_BOOTSTRAP_FILE), 0o755)
  // The repository is ESM ("type": "module"); the package is CommonJS, as FC loads index.handler.
  await writeFile(
    join(dir, 'package.json'),
    `${JSON.stringify({ type: 'commonjs', private: true })}\n`,
  )
  await cp(fileURLToPath(new URL('../../../infra/config/', import.meta.url)), join(dir, 'config'), {
    recursive: true,
  })
  return [
    FC_HANDLER_FILE,
    FC_SERVER_FILE,
    FC_BOOTSTRAP_FILE,
    REDIS_CHUNK,
    ...chunks.map(({ chunk }) => chunk),
    'package.json',
    'config/internal.json',
    'config/public.json',
  ]
}
