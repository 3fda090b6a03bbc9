/**
 * `npm run build:fc`: writes `functions/fc/dist/`, the code package both FC 3.0 shapes deploy
 * (the built-in Node.js runtime's `index.handler` and the custom runtime's `bootstrap`).
 */
import { rm } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { buildFcPackage } from './fc-package.ts'

const dist = fileURLToPath(new URL('../../fc/dist/', import.meta.url))
await rm(dist, { recursive: true, force: true })
const files = await buildFcPackage(dist)
console.log(`wrote functions/fc/dist/: ${files.join(', ')}`)
