import type { Command } from './command.ts'
import { configCheckCommand } from './commands/config-check.ts'
import { infraCheckCommand, infraRenderCommand } from './commands/infra.ts'
import { keysCreateCommand } from './commands/keys-create.ts'
import { partnerCheckCommand, partnerInitCommand } from './commands/partner.ts'
import { policyRenderCommand } from './commands/policy-render.ts'
import {
  agentCommand,
  execCommand,
  exportCommand,
  processCommand,
} from './commands/client-commands.ts'
import { serveCommand } from './serve.ts'

/** Every `credvend` command, in the order `credvend --help` lists them. */
export const COMMANDS = [
  serveCommand,
  configCheckCommand,
  policyRenderCommand,
  keysCreateCommand,
  partnerInitCommand,
  partnerCheckCommand,
  infraRenderCommand,
  infraCheckCommand,
  agentCommand,
  execCommand,
  processCommand,
  exportCommand,
] as readonly Command[]
