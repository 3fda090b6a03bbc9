import type { Config } from '../../../../lib/config/schema.ts'
import {
  parsePolicyDocument,
  type PolicyDocument,
} from '../../../../lib/emulator/policy/document.ts'
import { conditionContext, evaluatePolicies } from '../../../../lib/emulator/policy/evaluate.ts'
import { roleCeilings } from '../../../../lib/infra/role-ceilings.ts'
import { isKnownConditionKey } from '../../../../lib/policy/condition-keys.ts'
import {
  explainAccess,
  type AccessExplanation,
  type AccessRequest,
  type Evaluate,
} from '../../../../lib/policy/explain-access.ts'
import { defineCommand } from '../command.ts'
import { EXIT } from '../exit-codes.ts'
import { UsageError } from '../usage-error.ts'
import { configProblemsAsJson } from '../config-file.ts'
import {
  CALLER_HELP,
  CALLER_OPTIONS,
  callerJson,
  callerLine,
  refusalJson,
  refusalLine,
  simulateFromFlags,
} from '../simulated-caller.ts'

/**
 * A role's permission ceiling as `credvend infra render` writes it from the config: the ceiling
 * of every profile that assumes the role, and `sts:AssumeRole` on the next link where the role is
 * a hub. Undefined when no profile gives it one: its policy is written by hand, outside the config.
 */
export const roleCeiling = (config: Config, roleArn: string): unknown =>
  roleCeilings(config).get(roleArn)

/** The emulator's RAM reading of a document credvend produced; a refusal here is a credvend bug. */
const ramDocument = (input: unknown, what: string): PolicyDocument => {
  const parsed = parsePolicyDocument(input, 'identity')
  if (!parsed.ok) throw new Error(`${what} does not parse as a RAM policy: ${parsed.problems[0]}`)
  return parsed.policy
}

/** RAM's evaluator, as the emulator implements it for STS sessions on OSS and KMS. */
const evaluate: Evaluate<PolicyDocument> = (policies, request) =>
  evaluatePolicies(policies, {
    action: request.action,
    resource: request.resource,
    context: conditionContext(request.context),
  })

const contextFrom = (given: readonly string[] | undefined) => {
  const context: Record<string, string[]> = {}
  for (const pair of given ?? []) {
    const at = pair.indexOf('=')
    if (at <= 0) throw new UsageError(`--context takes KEY=VALUE, got "${pair}"`)
    const key = pair.slice(0, at)
    if (!isKnownConditionKey(key)) throw new UsageError(`--context: unknown condition key ${key}`)
    ;(context[key] ??= []).push(pair.slice(at + 1))
  }
  return context
}

const verdictLine = (verdict: AccessExplanation['verdict'], request: AccessRequest) => {
  const asked = `${request.action} on ${request.resource}`
  return verdict === 'unknown'
    ? `unknown: ${asked} (no session policy, and the role's permissions are not in the config)`
    : `${verdict}: ${asked}`
}

export const policyExplainCommand = defineCommand({
  name: 'policy explain',
  summary: 'would a caller be allowed an action on a resource',
  usage:
    'policy explain [--config FILE] --profile P (--as CLAIMS.json | --api-key ID) --action A --resource R [--param name=value ...] [--context KEY=VALUE ...] [--resolve] [--json]',
  help: `Answers "would this caller be allowed action A on resource R": the caller goes through the
server's own checks (as policy render), then RAM's policy evaluation (the embedded emulator's)
runs over the session policy it would get, intersected with its role's permission ceiling as
\`credvend infra render\` writes it from the config. Where the config holds no ceiling for the role
(a profile without a session-policy template), the output says so and the session policy alone
is evaluated. The ceiling is what the config implies: \`credvend infra check\` tells whether the
account holds it. OSS operations no prefix can confine (bucket-level ones such as GetBucketInfo,
service-level ones such as ListBuckets, and ListObjects allowed without an oss:Prefix condition)
are flagged. Exits 0 when allowed, 1 when denied, refused, or when nothing is known to allow it.

--json prints:
  {"allowed": boolean, "verdict": "allowed"|"denied"|"unknown"|"refused", "profile",
   "caller": {"id", "kind", "authority"}|null, "refused": {"status", "code", "reason"}|null,
   "request": {"action", "resource", "context": {KEY: [VALUE, ...]}},
   "role": {"arn", "ceiling": "config"|"unknown", "decision": "Allow"|"Deny"|"NotApplicable"|null},
   "session": {"policy": "rendered"|"none", "decision": ...|null},
   "oss": {"scope": "object"|"prefix-condition"|"bucket"|"service", "prefixScoped": boolean,
           "note": string|null}|null}
  ("role", "session" and "oss" are null for a refused caller.)

options:
${CALLER_HELP}
  --action A            the RAM action, e.g. oss:PutObject
  --resource R          the resource ARN, e.g. acs:oss:*:*:bucket/users/alice/a.png
  --context KEY=VALUE   a condition key the request carries, e.g. oss:Prefix=users/alice/
                        (repeatable)
`,
  options: {
    ...CALLER_OPTIONS,
    action: { type: 'string' },
    resource: { type: 'string' },
    context: { type: 'string', multiple: true },
  },
  positionals: [0, 0],
  env: { CREDVEND_CONFIG: 'the config, when --config is not given' },
  run: configProblemsAsJson(async ({ values, env }) => {
    const { action, resource } = values
    if (!action || !/^[A-Za-z0-9-]+:[A-Za-z0-9*?]+$/.test(action))
      throw new UsageError('--action names a RAM action such as oss:PutObject')
    if (!resource || !resource.startsWith('acs:'))
      throw new UsageError('--resource names a resource ARN such as acs:oss:*:*:bucket/key')
    const request: AccessRequest = { action, resource, context: contextFrom(values.context) }
    const { loaded, simulation } = await simulateFromFlags(values, env)
    const profile = values.profile!
    const asked = { action, resource, context: request.context }
    if (!simulation.ok) {
      console.log(
        values.json
          ? JSON.stringify({
              allowed: false,
              verdict: 'refused',
              profile,
              caller: callerJson(simulation),
              refused: refusalJson(simulation),
              request: asked,
              role: null,
              session: null,
              oss: null,
            })
          : [callerLine(simulation, loaded), refusalLine(simulation)].join('\n'),
      )
      return EXIT.failed
    }
    const roleArn = simulation.roleArn
    const ceiling = roleArn === undefined ? undefined : roleCeiling(loaded.config, roleArn)
    const explained = explainAccess({
      ceiling:
        ceiling === undefined ? undefined : [ramDocument(ceiling, `the ceiling of ${roleArn}`)],
      session: simulation.policy
        ? ramDocument(simulation.policy.text, 'the session policy')
        : undefined,
      request,
      evaluate,
    })
    const allowed = explained.verdict === 'allowed'
    if (values.json) {
      console.log(
        JSON.stringify({
          allowed,
          verdict: explained.verdict,
          profile,
          caller: callerJson(simulation),
          refused: null,
          request: asked,
          role: {
            arn: roleArn ?? null,
            ceiling: explained.role.known ? 'config' : 'unknown',
            decision: explained.role.decision,
          },
          session: {
            policy: explained.session.present ? 'rendered' : 'none',
            decision: explained.session.decision,
          },
          oss: explained.oss && { ...explained.oss, note: explained.oss.note ?? null },
        }),
      )
      return allowed ? EXIT.ok : EXIT.failed
    }
    const lines = [
      verdictLine(explained.verdict, request),
      callerLine(simulation, loaded),
      explained.role.known
        ? `role ceiling (${roleArn}, from the config): ${explained.role.decision}`
        : `role ceiling${roleArn ? ` (${roleArn})` : ''}: unknown — not in the config; ${
            explained.session.present
              ? 'the session policy alone was evaluated'
              : 'nothing was evaluated'
          }`,
      explained.session.present
        ? `session policy: ${explained.session.decision}`
        : "session policy: none (the role's own permissions apply)",
    ]
    if (explained.oss?.note) lines.push(`note: ${explained.oss.note}`)
    const prefixAsked = Object.keys(request.context).some((k) => k.toLowerCase() === 'oss:prefix')
    if (explained.oss?.scope === 'prefix-condition' && explained.oss.prefixScoped && !prefixAsked)
      lines.push('  (ask about one listing with --context oss:Prefix=PREFIX)')
    console.log(lines.join('\n'))
    return allowed ? EXIT.ok : EXIT.failed
  }),
})
