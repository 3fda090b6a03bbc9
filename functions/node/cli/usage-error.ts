import type { Command } from './command.ts'

/** A command that cannot run as asked: the CLI prints the message and exits with the usage code. */
export class UsageError extends Error {
  override readonly name = 'UsageError'
  /** The command whose help the message points to, when known. */
  readonly command: Command | undefined

  constructor(message: string, command?: Command) {
    super(message)
    this.command = command
  }
}
