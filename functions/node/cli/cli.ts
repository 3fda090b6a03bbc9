import packageJson from '../../../package.json' with { type: 'json' }
import { isVendError, type VendError } from '../../../lib/errors.ts'
import { helpText, runCommand } from './command.ts'
import { EXIT, EXIT_CODES_HELP } from './exit-codes.ts'
import { COMMANDS } from './command-table.ts'
import { isUnreachable } from '../../../lib/upstream/is-unreachable.ts'
import { UsageError } from './usage-error.ts'

const USAGE = `usage: credvend <command> [flags]   (credvend <command> --help for its flags)

commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(15)} ${c.summary}`).join('\n')}

  --version         print the version
  -h, --help        print this help

${EXIT_CODES_HELP}`

/** The command named by the first one or two words, and how many words that took. */
const findCommand = (argv: readonly string[]) => {
  for (const words of [2, 1]) {
    const name = argv.slice(0, words).join(' ')
    const command = COMMANDS.find((c) => c.name === name)
    if (command) return { command, words }
  }
  return undefined
}

/** A group word (`config`, `partner`, …) alone or with --help: the commands under it. */
const groupHelp = (word: string) => {
  const members = COMMANDS.filter((c) => c.name.startsWith(`${word} `))
  return members.length === 0
    ? undefined
    : `usage:\n${members.map((c) => `  credvend ${c.usage}\n      ${c.summary}`).join('\n')}`
}

const main = async (argv: readonly string[]): Promise<number> => {
  const [first] = argv
  if (first === '--version' || first === '-V') {
    console.log(packageJson.version)
    return EXIT.ok
  }
  if (first === undefined || first === '--help' || first === '-h') {
    console.log(USAGE)
    return EXIT.ok
  }
  if (first === 'help') {
    const found = findCommand(argv.slice(1))
    const text = found ? helpText(found.command) : argv[1] ? groupHelp(argv[1]) : USAGE
    if (!text) throw new UsageError(`no command "${argv.slice(1).join(' ')}"`)
    console.log(text)
    return EXIT.ok
  }
  const found = findCommand(argv)
  if (found) return runCommand(found.command, argv.slice(found.words), process.env)
  const group = groupHelp(first)
  if (group && argv[1] === undefined) {
    // A group word alone is an incomplete command: its usage is the error, on stderr.
    console.error(group)
    return EXIT.usage
  }
  if (group && (argv[1] === '--help' || argv[1] === '-h')) {
    console.log(group)
    return EXIT.ok
  }
  throw new UsageError(`unknown command "${argv.slice(0, group ? 2 : 1).join(' ')}"`)
}

/**
 * The codes a wrapped error carries, so a provider's "misconfigured" that STS's silence caused
 * says so. Codes only: messages below the top one are not needed to act.
 */
const because = (error: VendError): string => {
  const codes: string[] = []
  for (let at = error.cause; isVendError(at) && codes.length < 8; at = at.cause) codes.push(at.code)
  return codes.length === 0 ? '' : ` (because ${codes.join(' because ')})`
}

const exitFor = (error: unknown): number => {
  if (error instanceof UsageError) {
    const hint = error.command ? `credvend ${error.command.name} --help` : 'credvend --help'
    console.error(`credvend: ${error.message}\n(see ${hint})`)
    return EXIT.usage
  }
  if (isVendError(error)) {
    console.error(`credvend: ${error.code}: ${error.message}${because(error)}`)
    return isUnreachable(error) ? EXIT.unreachable : EXIT.failed
  }
  console.error(`credvend: ${error instanceof Error ? error.message : 'failed'}`)
  return EXIT.internal
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code
  },
  (error: unknown) => {
    // A failed start may leave a half-started server's handles open; they must not keep a
    // failed command running. Pipes and files are written synchronously on Linux, so the
    // message above is out before the exit.
    process.exit(exitFor(error))
  },
)
