import { execFile } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { homedir } from 'node:os'
import { promisify } from 'node:util'
import { serverChain } from '../../../lib/credentials/default-chains.ts'
import type { StsClient } from '../../../lib/sts/client.ts'
import type { VendDeps } from '../../../lib/vend/vend-deps.ts'

const run = promisify(execFile)

/**
 * credvend's own identity on a Node server: the full provider chain with Node's file system, home
 * directory and process runner. `External` CLI profiles run through `/bin/sh -c` like the CLI does,
 * with a timeout; their output is parsed, never logged.
 */
export const nodeSourceChain = (env: NodeJS.ProcessEnv, deps: VendDeps, sts: StsClient) =>
  serverChain({
    env,
    fetch: deps.fetch,
    now: deps.now,
    sts,
    homeDir: homedir(),
    readFile: (path) => readFile(path, 'utf8').catch(() => undefined),
    runProcess: async (command) =>
      (await run('/bin/sh', ['-c', command], { timeout: 60_000, maxBuffer: 64 * 1024 })).stdout,
  })
