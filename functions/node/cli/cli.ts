import { configCheckCommand } from './commands/config-check.ts'
import { keysCreateCommand } from './commands/keys-create.ts'
import { partnerCommand } from './commands/partner.ts'
import { infraCommand } from './commands/infra.ts'
import {
  agentCommand,
  execCommand,
  exportCommand,
  processCommand,
} from './commands/client-commands.ts'
import { policyRenderCommand } from './commands/policy-render.ts'
import { serveCommand } from './serve.ts'
import { UsageError } from './usage-error.ts'
import { isVendError } from '../../../lib/errors.ts'

const USAGE = `usage: credvend <command>

  serve [--local]            run the HTTP server on CREDVEND_CONFIG; --local (or CREDVEND_LOCAL=1)
                             starts the embedded Alibaba emulator with a demo world instead
  config check FILE [--resolve]
                             validate a config file (--resolve: also resolve its secret references)
  policy render --config FILE --profile P --as CLAIMS.json [--param name=value ...]
                             print the exact session policy a caller would get, and its size
  keys create ID             mint a partner API key and the digest that goes into config
  partner init ID --role-arn ARN (--trusted ARN | --config FILE)
                             onboard a partner: server-generated ExternalId and API key, config
                             snippet and the trust policy their role needs (printed once)
  agent --url URL --profile P [--profile Q ...] [--port N] [--token-file F | --token-env N | --api-key-env N]
                             serve profiles' credentials on 127.0.0.1 for ALIBABA_CLOUD_CREDENTIALS_URI
  exec --url URL --profile P [auth] -- CMD [ARGS ...]
                             run CMD with credentials (a private agent, or AccessKey variables)
  process --url URL --profile P [auth]
                             print credentials for a CLI "External" profile's process_command
  export --url URL --profile P --format env|json|cli-config [--region R] [auth]
                             print credentials as shell exports, credentials-URI JSON or ~/.aliyun/config.json
  infra render CONFIG --out DIR | infra check CONFIG DIR
                             the RAM roles, policies and OSS CORS a config implies (policy JSON and
                             a Terraform wrapper); check reports drift (exit 1)
  partner check ID --config FILE
                             deploy gate: the partner role must refuse no/wrong ExternalId and
                             accept the configured one (exit 1 otherwise)`

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
  if (command === 'config' && args[0] === 'check')
    return configCheckCommand(args.slice(1), process.env)
  if (command === 'policy' && args[0] === 'render')
    return policyRenderCommand(args.slice(1), process.env)
  if (command === 'keys' && args[0] === 'create') return keysCreateCommand(args.slice(1))
  if (command === 'agent') return agentCommand(args, process.env)
  if (command === 'exec') {
    process.exitCode = await execCommand(args, process.env)
    return
  }
  if (command === 'process') return processCommand(args, process.env)
  if (command === 'export') return exportCommand(args, process.env)
  if (command === 'infra') {
    process.exitCode = await infraCommand(args)
    return
  }
  if (command === 'partner') {
    process.exitCode = await partnerCommand(args, process.env)
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
  if (isVendError(error)) {
    console.error(`credvend: ${error.code}: ${error.message}`)
    process.exit(2)
  }
  console.error(`credvend: ${error instanceof Error ? error.message : 'failed'}`)
  process.exit(1)
})
