import { ossScope, type OssScope } from './oss-scope.ts'

/** RAM's answer for one set of policies. @public */
export type Decision = 'Allow' | 'Deny' | 'NotApplicable'

/** One request to explain: a RAM action on a resource, with the condition keys it carries. @public */
export interface AccessRequest {
  readonly action: string
  readonly resource: string
  /** Condition key → values, as the request would supply them. */
  readonly context: Readonly<Record<string, readonly string[]>>
}

/** A RAM policy evaluator over documents of type `D`; explanations are written against any one. @public */
export type Evaluate<D> = (policies: readonly D[], request: AccessRequest) => Decision

/** @public */
export interface AccessExplanation {
  /**
   * `allowed`: every policy layer known allows; `denied`: one denies or does not apply; `unknown`:
   * no layer is known (no session policy, and the role's permissions are not in the config).
   */
  readonly verdict: 'allowed' | 'denied' | 'unknown'
  /** The role's permission ceiling; `decision` is null when the config does not hold it. */
  readonly role: { readonly known: boolean; readonly decision: Decision | null }
  /** The session policy; `decision` is null when the profile sends none (the role alone applies). */
  readonly session: { readonly present: boolean; readonly decision: Decision | null }
  /** OSS requests only: whether a prefix confines the request, and what to know about it. */
  readonly oss: {
    readonly scope: OssScope
    readonly prefixScoped: boolean
    readonly note: string | undefined
  } | null
}

const PREFIX_KEY = 'oss:prefix'

/**
 * Would a session be allowed this request? A session's permission is its role's permissions
 * intersected with its session policy (AssumeRole's `Policy` parameter,
 * https://www.alibabacloud.com/help/en/ram/developer-reference/api-sts-2015-04-01-assumerole):
 * both must allow, and an explicit Deny in either refuses. A layer the config does not hold is
 * left out and reported so, never assumed to allow.
 *
 * OSS requests also get their scope: bucket- and service-level operations are flagged, since no
 * prefix confines them, and `oss:ListObjects` is asked again without `oss:Prefix` to tell a
 * listing confined by a prefix condition from one that reaches the whole bucket.
 * @public
 */
export const explainAccess = <D>(input: {
  /** The role's permission ceiling from the config, or undefined when the config has none. */
  readonly ceiling: readonly D[] | undefined
  /** The rendered session policy, or undefined when the profile sends none. */
  readonly session: D | undefined
  readonly request: AccessRequest
  readonly evaluate: Evaluate<D>
}): AccessExplanation => {
  const { ceiling, session, evaluate } = input
  const decide = (request: AccessRequest) => {
    const role = ceiling ? evaluate(ceiling, request) : null
    const own = session === undefined ? null : evaluate([session], request)
    const known = [role, own].filter((d) => d !== null)
    const verdict: AccessExplanation['verdict'] =
      known.length === 0 ? 'unknown' : known.every((d) => d === 'Allow') ? 'allowed' : 'denied'
    return { role, own, verdict }
  }
  const { request } = input
  const { role, own, verdict } = decide(request)
  const scope = ossScope(request.action, request.resource)
  return {
    verdict,
    role: { known: ceiling !== undefined, decision: role },
    session: { present: session !== undefined, decision: own },
    oss: scope === undefined ? null : ossFinding(scope, request, verdict, decide),
  }
}

const ossFinding = (
  scope: OssScope,
  request: AccessRequest,
  verdict: AccessExplanation['verdict'],
  decide: (request: AccessRequest) => { readonly verdict: AccessExplanation['verdict'] },
): NonNullable<AccessExplanation['oss']> => {
  const action = request.action
  switch (scope) {
    case 'object':
      return { scope, prefixScoped: true, note: undefined }
    case 'service':
      return {
        scope,
        prefixScoped: false,
        note: `${action} is a service-level operation: it acts on the account, and no bucket or prefix can scope it`,
      }
    case 'bucket':
      return {
        scope,
        prefixScoped: false,
        note: `${action} is a bucket-level operation: it acts on the whole bucket, and no prefix can scope it`,
      }
    case 'prefix-condition': {
      const context = Object.fromEntries(
        Object.entries(request.context).filter(([key]) => key.toLowerCase() !== PREFIX_KEY),
      )
      if (decide({ ...request, context }).verdict === 'allowed')
        return {
          scope,
          prefixScoped: false,
          note: `${action} is allowed without an oss:Prefix condition: the caller can list every object in the bucket`,
        }
      const asked = Object.keys(request.context).some((key) => key.toLowerCase() === PREFIX_KEY)
      return {
        scope,
        prefixScoped: true,
        note: !asked
          ? `${action} is scoped only by an oss:Prefix condition, and this request names no prefix`
          : verdict === 'allowed'
            ? `${action} is confined by the oss:Prefix condition: the same listing without a prefix is refused`
            : undefined,
      }
    }
  }
}
