/**
 * `npm run build:cli` (also npm's `prepare`, so `npm install` and `npm pack` run it): writes
 * `functions/node/dist/credvend.js`, the `credvend` command as one ES module that plain `node`
 * runs, with no TypeScript loader at run time. Signals reach the server itself (SIGHUP reloads),
 * and a call starts in tens of milliseconds instead of the seconds a loader takes. ioredis stays
 * outside the bundle: only a Redis-backed deployment loads it, from the installed dependency.
 */
import { chmod } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'

const outfile = fileURLToPath(new URL('../dist/credvend.js', import.meta.url))
await build({
  entryPoints: [fileURLToPath(new URL('../cli/cli.ts', import.meta.url))],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: ['ioredis'],
  minifySyntax: true,
  legalComments: 'none',
  // Bundled CommonJS code may call require(); an ES module has none of its own.
  banner: {
    js: [
      '#!/usr/bin/env node',
      "import { createRequire as __credvendRequire } from 'node:module';",
      'const require = __credvendRequire(import.meta.url);',
    ].join('\n'),
  },
  logLevel: 'warning',
})
await chmod(outfile, 0o755)
console.log(`wrote ${outfile}`)
