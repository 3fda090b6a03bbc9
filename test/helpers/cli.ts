import { spawn } from 'node:child_process'

const children: ReturnType<typeof spawn>[] = []

/** Stops every CLI child a test started. */
export const killCliChildren = () => {
  for (const child of children.splice(0)) child.kill('SIGTERM')
}

/**
 * Runs `credvend …` from its TypeScript sources through tsx, so a test sees a change without a
 * rebuild (test/cli/cli-contract.test.ts runs the bundled command users install). Children bind only 127.0.0.1
 * and make no outbound calls beyond the loopback endpoints a test gives them.
 */
export const runCli = (args: string[], env: Record<string, string | undefined> = {}) => {
  const childEnv: NodeJS.ProcessEnv = {
    ...process.env,
    CREDVEND_CONFIG: undefined,
    CREDVEND_LOCAL: undefined,
    ...env,
  }
  const child = spawn(process.execPath, ['--import', 'tsx', 'functions/node/cli/cli.ts', ...args], {
    env: childEnv,
  })
  children.push(child)
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (d) => (stdout += d))
  child.stderr.on('data', (d) => (stderr += d))
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve))
  const output = (pattern: RegExp) =>
    new Promise<RegExpMatchArray>((resolve, reject) => {
      const check = () => {
        const match = stdout.match(pattern)
        if (match) resolve(match)
      }
      child.stdout.on('data', check)
      void exited.then(() => reject(new Error(`exited before printing ${pattern}: ${stderr}`)))
      check()
    })
  return { child, exited, output, stderr: () => stderr, stdout: () => stdout }
}
