import { serveCommand, UsageError } from './serve.ts'

const USAGE = `usage: credvend <command>

  serve [--local]   run the HTTP server; --local (or CREDVEND_LOCAL=1) starts the embedded
                    Alibaba emulator with a demo world instead of reading CREDVEND_CONFIG`

/** The `credvend` command. Exit codes: 0 ok, 1 unexpected failure, 2 usage or configuration. */
const main = async (argv: readonly string[]) => {
  const [command, ...args] = argv
  if (command === 'serve') {
    const running = await serveCommand(args, process.env)
    const stop = () => void running.close().then(() => process.exit(0))
    process.once('SIGINT', stop)
    process.once('SIGTERM', stop)
    return
  }
  if (command === undefined || command === 'help' || command === '--help') {
    console.log(USAGE)
    return
  }
  throw new UsageError(`unknown command "${command}"\n\n${USAGE}`)
}

main(process.argv.slice(2)).catch((error: unknown) => {
  if (error instanceof UsageError) {
    console.error(`credvend: ${error.message}`)
    process.exit(2)
  }
  console.error(`credvend: ${error instanceof Error ? error.message : 'failed'}`)
  process.exit(1)
})
