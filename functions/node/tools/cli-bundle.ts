import { chmod, mkdir, rename, writeFile } from 'node:fs/promises'
import { dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'

/** Where `npm install` (through `prepare`) puts the `credvend` command; package.json's `bin`. */
export const CLI_BUNDLE = fileURLToPath(new URL('../dist/credvend.js', import.meta.url))

/**
 * Bundles the `credvend` command into one ES module that plain `node` runs, with no TypeScript
 * loader at run time: signals reach the server itself (SIGHUP reloads), and a call starts in a
 * fraction of the time a loader takes. Every library is inside (ioredis too, evaluated only when a
 * config has a redis section), so the installed package needs nothing from a registry. The file is
 * written beside its place and renamed over it, so a process starting meanwhile never reads half a
 * file.
 */
export const buildCliBundle = async (outfile: string = CLI_BUNDLE): Promise<string> => {
  const result = await build({
    entryPoints: [fileURLToPath(new URL('../cli/cli.ts', import.meta.url))],
    outfile,
    write: false,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
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
  const [file] = result.outputFiles
  if (!file) throw new Error('esbuild wrote no output for the CLI')
  await mkdir(dirname(outfile), { recursive: true })
  const partial = `${outfile}.${process.pid}.partial`
  await writeFile(partial, file.contents, { mode: 0o755 })
  await chmod(partial, 0o755)
  await rename(partial, outfile)
  return outfile
}
