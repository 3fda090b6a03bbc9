/**
 * `npm run build:cli` (also npm's `prepare`, so `npm install` and `npm pack` run it, and
 * `prestart`): writes functions/node/dist/credvend.js, the `credvend` command package.json's `bin`
 * names.
 */
import { buildCliBundle } from './cli-bundle.ts'

console.log(`wrote ${await buildCliBundle()}`)
