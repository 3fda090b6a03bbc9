/**
 * `npm run build:fc`: writes `functions/fc/dist/`, the code package both FC 3.0 shapes deploy
 * (the built-in Node.js runtime's `index.handler` and the custom runtime's `bootstrap`), and prints
 * each file's size: the entry's is what every cold instance loads.
 */
import { rm, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { buildFcPackage } from './fc-package.ts'

const dist = fileURLToPath(new URL('../../fc/dist/', import.meta.url))
await rm(dist, { recursive: true, force: true })
const files = await buildFcPackage(dist)
const sized = await Promise.all(
  files.map(
    async (file) => `${file} (${((await stat(join(dist, file))).size / 1024).toFixed(1)} KB)`,
  ),
)
console.log(`wrote functions/fc/dist/: ${sized.join(', ')}`)
