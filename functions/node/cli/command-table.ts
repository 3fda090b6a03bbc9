import type { Command } from './command.ts'
import { configCheckCommand } from './commands/config-check.ts'
import { doctorCommand } from './commands/doctor.ts'
import { infraCheckCommand, infraRenderCommand } from './commands/infra.ts'
import { keysCreateCommand } from './commands/keys-create.ts'
import { partnerCheckCommand, partnerInitCommand } from './commands/partner.ts'
import { policyExplainCommand } from './commands/policy-explain.ts'
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
  policyExplainCommand,
  keysCreateCommand,
  partnerInitCommand,
  partnerCheckCommand,
  infraRenderCommand,
  infraCheckCommand,
  agentCommand,
  execCommand,
  processCommand,
  exportCommand,
  doctorCommand,
] as readonly Command[]
