import { MAX_POLICY_BYTES } from '../../../../lib/policy/template.ts'
import { defineCommand } from '../command.ts'
import { EXIT } from '../exit-codes.ts'
import { configProblemsAsJson } from '../config-file.ts'
import {
  CALLER_OPTIONS,
  CALLER_HELP,
  simulateFromFlags,
  callerJson,
  refusalJson,
  refusalLine,
  callerLine,
} from '../simulated-caller.ts'

/**
 * The exact session policy a caller would get, its size against STS's limit, its hash and the
 * session name — or that the server would refuse the caller, and why — computed by the code the
 * server runs.
 */
export const policyRenderCommand = defineCommand({
  name: 'policy render',
  summary: 'print the exact session policy a caller would get, or why it would be refused',
  usage:
    'policy render [--config FILE] --profile P (--as CLAIMS.json | --api-key ID) [--param name=value ...] [--resolve] [--json]',
  help: `Runs a caller through what the server does before it calls STS — authentication, the
profile's allow rules, the declared parameters, the session-policy template and the upload
prefix — and prints the session policy it would get, its size against STS's 2,047-byte limit, its
SHA-256 and the session name. A caller the server would refuse gets "refused:" with the answer
the server gives and why, and exit status 1; nothing else is printed for it.

--json prints:
  {"ok": true, "profile", "kind": "sts"|"oss-upload"|"access-key",
   "caller": {"id", "kind", "authority"}, "refused": null, "roleArn": string|null,
   "sessionName": string|null, "prefix": string|null,
   "policy": {"text", "bytes", "maxBytes", "sha256"}|null}
  or {"ok": false, "profile", "caller": {...}|null, "refused": {"status", "code", "reason"}}

options:
${CALLER_HELP}
`,
  options: CALLER_OPTIONS,
  positionals: [0, 0],
  env: { CREDVEND_CONFIG: 'the config, when --config is not given' },
  run: configProblemsAsJson(async ({ values, env }) => {
    const { loaded, simulation } = await simulateFromFlags(values, env)
    const profile = values.profile!
    if (!simulation.ok) {
      console.log(
        values.json
          ? JSON.stringify({
              ok: false,
              profile,
              caller: callerJson(simulation),
              refused: refusalJson(simulation),
            })
          : [callerLine(simulation, loaded), refusalLine(simulation)].join('\n'),
      )
      return EXIT.failed
    }
    const { policy } = simulation
    if (values.json) {
      console.log(
        JSON.stringify({
          ok: true,
          profile,
          kind: simulation.kind,
          caller: callerJson(simulation),
          refused: null,
          roleArn: simulation.roleArn ?? null,
          sessionName: simulation.sessionName ?? null,
          prefix: simulation.prefix ?? null,
          policy: policy
            ? {
                text: policy.text,
                bytes: policy.bytes,
                maxBytes: MAX_POLICY_BYTES,
                sha256: policy.sha256,
              }
            : null,
        }),
      )
      return EXIT.ok
    }
    const lines: string[] = []
    if (policy) {
      const share = Math.round((policy.bytes / MAX_POLICY_BYTES) * 100)
      lines.push(
        policy.text,
        `size: ${policy.bytes} of ${MAX_POLICY_BYTES} bytes (${share}%)`,
        `sha256: ${policy.sha256}`,
      )
    } else if (simulation.kind === 'access-key') {
      lines.push(`profile ${profile}: an access-key profile: no role and no session policy`)
    } else {
      lines.push(`profile ${profile}: no session policy (the role's own permissions apply)`)
    }
    lines.push(callerLine(simulation, loaded))
    if (simulation.roleArn) lines.push(`role: ${simulation.roleArn}`)
    if (simulation.prefix) lines.push(`prefix: ${simulation.prefix}`)
    if (simulation.kind !== 'access-key')
      lines.push(
        `session name: ${simulation.sessionName ?? '(pseudonymous: a keyed hash; run with --resolve to compute it)'}`,
      )
    console.log(lines.join('\n'))
    return EXIT.ok
  }),
})
