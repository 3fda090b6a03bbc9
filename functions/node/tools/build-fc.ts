/**
 * `npm run build:fc`: writes `functions/fc/dist/` — the code package both FC functions deploy:
 * `index.js` (the bundle), `connect-redis.js` (ioredis, loaded only with a redis section), a `package.json` marking it CommonJS, and `config/*.json` copied from `infra/config/`.
 */
import { cpSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { bundleFc, bundleFcRedis, REDIS_CHUNK } from './bundle-fc.ts'

const dist = fileURLToPath(new URL('../../fc/dist/', import.meta.url))
rmSync(dist, { recursive: true, force: true })
mkdirSync(dist, { recursive: true })
const bundle = await bundleFc()
writeFileSync(`${dist}index.js`, bundle)
writeFileSync(`${dist}${REDIS_CHUNK}`, await bundleFcRedis())
// The repository is ESM ("type": "module"); the code package is CommonJS, as FC loads index.handler.
writeFileSync(`${dist}package.json`, `${JSON.stringify({ type: 'commonjs', private: true })}\n`)
cpSync(fileURLToPath(new URL('../../../infra/config/', import.meta.url)), `${dist}config/`, {
  recursive: true,
})
console.log(
  `wrote functions/fc/dist/index.js (${(Buffer.byteLength(bundle) / 1024).toFixed(1)} KB), ${REDIS_CHUNK} and config/`,
)
