import { parseArgs, type ParseArgsConfig } from 'node:util'
import { EXIT, EXIT_CODES_HELP } from './exit-codes.ts'
import { UsageError } from './usage-error.ts'

type Options = NonNullable<ParseArgsConfig['options']>
type Parsed<O extends Options> = ReturnType<
  typeof parseArgs<{ options: O; strict: true; allowPositionals: true }>
>

/** What a command's `run` receives: its own flags and positionals, already checked. */
interface CommandInput<O extends Options> {
  readonly values: Parsed<O>['values']
  readonly positionals: readonly string[]
  /** Everything after a bare `--`, untouched (the program `exec` runs). */
  readonly rest: readonly string[]
  readonly env: NodeJS.ProcessEnv
}

/** One `credvend` command: its words, its flags and its help text. */
export interface Command<O extends Options = Options> {
  /** The words after `credvend`, such as `config check`. */
  readonly name: string
  /** One line for the command list. */
  readonly summary: string
  /** The synopsis after `credvend `. */
  readonly usage: string
  /** What the command does and what each flag means, as printed by `--help`. */
  readonly help: string
  readonly options: O
  /** How many positionals it takes, at least and at most. */
  readonly positionals: readonly [min: number, max: number]
  /** Whether a bare `--` ends its flags and hands the rest to `run`. */
  readonly takesRest?: boolean
  /** The environment variables it reads, and what each does. */
  readonly env?: Readonly<Record<string, string>>
  /** Returns the exit status; nothing means 0. */
  run(input: CommandInput<O>): Promise<number | void>
}

/** Keeps each command's flag types while the table holds them side by side. */
export const defineCommand = <O extends Options>(command: Command<O>): Command<O> => command

const HELP_OPTION = { help: { type: 'boolean', short: 'h' } } as const

/** The full `--help` text of one command. */
export const helpText = (command: Command): string => {
  const env = Object.entries(command.env ?? {})
  const width = Math.max(0, ...env.map(([name]) => name.length))
  return [
    `usage: credvend ${command.usage}`,
    '',
    command.help.trimEnd(),
    '  -h, --help            print this help',
    ...(env.length > 0
      ? ['', 'environment:', ...env.map(([name, what]) => `  ${name.padEnd(width)}  ${what}`)]
      : []),
    '',
    EXIT_CODES_HELP,
  ].join('\n')
}

/**
 * Parses `args` strictly against the command's flags (an unknown flag, a missing value or a
 * surplus positional is a usage error; `--flag=value` and `--flag value` both work), then runs it.
 * `--help` anywhere before `--` prints the help to stdout and succeeds.
 */
export const runCommand = async (
  command: Command,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
): Promise<number> => {
  const split = command.takesRest ? args.indexOf('--') : -1
  const own = split === -1 ? args : args.slice(0, split)
  const rest = split === -1 ? [] : args.slice(split + 1)
  let parsed: Parsed<Options>
  try {
    parsed = parseArgs({
      args: [...own],
      options: { ...command.options, ...HELP_OPTION },
      strict: true,
      allowPositionals: true,
    })
  } catch (error) {
    if (own.includes('--help') || own.includes('-h')) return printHelp(command)
    throw new UsageError(parseProblem(error), command)
  }
  if (parsed.values.help) return printHelp(command)
  const [min, max] = command.positionals
  if (parsed.positionals.length < min)
    throw new UsageError(`missing argument: usage: credvend ${command.usage}`, command)
  if (parsed.positionals.length > max)
    throw new UsageError(`unexpected argument "${parsed.positionals[max]}"`, command)
  try {
    return (await command.run({ ...parsed, rest, env })) ?? EXIT.ok
  } catch (error) {
    // A usage problem found while running still points at this command's help.
    if (error instanceof UsageError && !error.command) throw new UsageError(error.message, command)
    throw error
  }
}

/** node:util's parse errors, said shortly; the flag is the part a person needs. */
const parseProblem = (error: unknown): string => {
  const message = error instanceof Error ? error.message : String(error)
  const code = (error as { code?: unknown }).code
  const flag = /'(-[^']*)'/.exec(message)?.[1]
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && flag) return `unknown flag ${flag}`
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && flag)
    return `${flag.split(/[ ,]/)[0]} ${/argument missing/.test(message) ? 'needs a value' : 'takes no value'}`
  return message
}

const printHelp = (command: Command): number => {
  console.log(helpText(command))
  return EXIT.ok
}
