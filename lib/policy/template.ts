import { MAX_TEMPLATE_VALUE } from '../auth/caller-alphabet.ts'
import { utf8 } from '../crypto/encoding.ts'
import { sha256Hex } from '../crypto/hmac.ts'
import { VendError } from '../errors.ts'
import { parsePolicy } from './schema.ts'

/** STS: "The size of Policy must be smaller than 2048 bytes." @public */
export const MAX_POLICY_BYTES = 2047

const PLACEHOLDER = /\$\{([^}]*)\}/g
const DELIMITERS = new Set(['/', ':'])
/** Characters no substituted value may carry, whatever its pattern says: wildcards, path and JSON syntax, control characters, anything non-ASCII (look-alikes). */
// eslint-disable-next-line no-control-regex -- on purpose: control characters never reach a policy
const FORBIDDEN_IN_VALUE = /[*?${}"\\/\u0000-\u001f\u007f-\uffff]|\.\./
const VALUE_CLASS = '[^*?${}"\\\\/\\u0000-\\u001f\\u007f-\\uffff]{1,128}'

/** Where each variable's value comes from, and the pattern it must match. @internal */
export interface TemplateVariables {
  /** `claims.NAME` → pattern; `caller.id` and `caller.sub` are always known. */
  readonly claims: Readonly<Record<string, RegExp>>
  /** `params.NAME` → pattern. */
  readonly params: Readonly<Record<string, RegExp>>
  readonly callerPattern: RegExp
}

/** A template checked at load: where its variables are, and the regex each rendered string must match. @public */
export interface CompiledTemplate {
  readonly source: unknown
  readonly variables: TemplateVariables
  /** Names used anywhere, e.g. `caller.id`, `params.folder`. */
  readonly used: ReadonlySet<string>
}

type Place = 'value' | 'fixed'

const isKnown = (name: string, vars: TemplateVariables) =>
  name === 'caller.id' ||
  name === 'caller.sub' ||
  Object.hasOwn(vars.claims, name) ||
  Object.hasOwn(vars.params, name)

/** Checks one string of the template; returns its problems. */
const checkString = (
  text: string,
  place: Place,
  at: string,
  vars: TemplateVariables,
  used: Set<string>,
): string[] => {
  const problems: string[] = []
  let scoped = false
  for (const match of text.matchAll(PLACEHOLDER)) {
    const name = match[1]!
    const start = match.index
    const end = start + match[0].length
    if (place === 'fixed') {
      problems.push(
        `${at}: variables may appear only in Resource and Condition values (found \${${name}})`,
      )
      continue
    }
    if (!isKnown(name, vars)) problems.push(`${at}: unknown variable \${${name}}`)
    const before = start === 0 ? '' : text[start - 1]!
    const after = end === text.length ? '' : text[end]!
    if ((before !== '' && !DELIMITERS.has(before)) || (after !== '' && !DELIMITERS.has(after))) {
      problems.push(
        `${at}: \${${name}} must stand between delimiters (/ or :), e.g. users/\${${name}}/`,
      )
    }
    if (name.startsWith('params.') && !scoped) {
      problems.push(
        `${at}: \${${name}} may only narrow a caller-scoped value (put it after \${caller.id} or a claim)`,
      )
    }
    if (name.startsWith('caller.') || name.startsWith('claims.')) scoped = true
    used.add(name)
  }
  if (text.replace(PLACEHOLDER, '').includes('${')) problems.push(`${at}: malformed variable`)
  return problems
}

const walk = (
  node: unknown,
  place: Place,
  at: string,
  visit: (text: string, place: Place, at: string) => void,
): void => {
  if (typeof node === 'string') return visit(node, place, at)
  if (Array.isArray(node)) return node.forEach((v, i) => walk(v, place, `${at}[${i}]`, visit))
  if (typeof node !== 'object' || node === null) return
  for (const [key, value] of Object.entries(node)) {
    visit(key, 'fixed', `${at}.${key}`)
    walk(value, place, `${at}.${key}`, visit)
  }
}

/**
 * Checks a session-policy template when config loads: RAM grammar, variables only
 * in Resource/NotResource and Condition values, known variables only, each between delimiters,
 * request parameters only after a caller-scoped variable.
 * @public
 */
export const compileTemplate = (
  template: unknown,
  variables: TemplateVariables,
): { ok: true; template: CompiledTemplate } | { ok: false; problems: string[] } => {
  const grammar = parsePolicy(template, 'identity')
  const problems = grammar.ok ? [] : grammar.problems.map((p) => `sessionPolicy: ${p}`)
  const used = new Set<string>()
  const visit = (text: string, place: Place, at: string) =>
    problems.push(...checkString(text, place, at, variables, used))
  const statements = (template as { Statement?: unknown[] }).Statement ?? []
  visit(String((template as { Version?: unknown }).Version ?? ''), 'fixed', 'sessionPolicy.Version')
  statements.forEach((statement, i) => {
    for (const [key, value] of Object.entries((statement ?? {}) as Record<string, unknown>)) {
      const at = `sessionPolicy.Statement[${i}].${key}`
      if (key === 'Resource' || key === 'NotResource') walk(value, 'value', at, visit)
      else if (key === 'Condition') walk(value, 'value', at, visit)
      else walk(value, 'fixed', at, visit)
    }
  })
  return problems.length > 0
    ? { ok: false, problems }
    : { ok: true, template: { source: template, variables, used } }
}

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

/** The rendered form of a template string must match this: static text verbatim, each variable a safe run. */
const shapeOf = (text: string) =>
  new RegExp(
    `^${text
      .split(PLACEHOLDER)
      .map((part, i) => (i % 2 === 0 ? escapeRegex(part) : VALUE_CLASS))
      .join('')}$`,
  )

const substitute = (
  node: unknown,
  values: ReadonlyMap<string, string>,
  checks: Array<[string, string]>,
): unknown => {
  if (typeof node === 'string') {
    if (!node.includes('${')) return node
    const rendered = node.replace(PLACEHOLDER, (_, name: string) => values.get(name)!)
    checks.push([node, rendered])
    return rendered
  }
  if (Array.isArray(node)) return node.map((v) => substitute(v, values, checks))
  if (typeof node !== 'object' || node === null) return node
  return Object.fromEntries(
    Object.entries(node).map(([k, v]) => [k, substitute(v, values, checks)]),
  )
}

/** A rendered session policy: the exact text sent to STS, its SHA-256 and its size. @public */
export interface RenderedPolicy {
  readonly text: string
  readonly sha256: string
  /** The text's UTF-8 length: what STS's limit counts. */
  readonly bytes: number
  /** The checked values, for companion strings of the same profile (an upload prefix). */
  readonly values: ReadonlyMap<string, string>
}

/** Substitutes already-checked values into a string that uses only variables of the same template. @internal */
export const substituteChecked = (text: string, values: ReadonlyMap<string, string>): string =>
  text.replace(PLACEHOLDER, (_, name: string) => {
    const value = values.get(name)
    if (value === undefined)
      throw new VendError('ERR_POLICY_INVALID', `\${${name}} was not rendered`)
    return value
  })

/** The pattern a variable's value must match. @internal */
export const patternFor = (name: string, vars: TemplateVariables): RegExp =>
  name.startsWith('claims.')
    ? vars.claims[name]!
    : name.startsWith('params.')
      ? vars.params[name]!
      : vars.callerPattern

/**
 * Checks one value of a variable and answers it, or throws what the caller is told. Length and
 * forbidden characters come first: an operator's pattern then only ever runs on a short value of
 * the safe alphabet, never on whatever a caller sent.
 * @internal
 */
export const checkValue = (name: string, value: string | undefined, pattern: RegExp): string => {
  if (value === undefined) {
    throw new VendError(
      name.startsWith('params.') ? 'ERR_BAD_REQUEST' : 'ERR_POLICY_VALUE',
      `no value for \${${name}}`,
    )
  }
  if (
    value.length === 0 ||
    value.length > MAX_TEMPLATE_VALUE ||
    // `.` or `.hidden` as a path segment means "here" or a hidden file to whatever maps keys
    // to paths; caller ids never start with one.
    value.startsWith('.') ||
    FORBIDDEN_IN_VALUE.test(value) ||
    !pattern.test(value)
  ) {
    throw new VendError('ERR_POLICY_VALUE', `the value for \${${name}} is not allowed in a policy`)
  }
  return value
}

/**
 * Renders a template with values `checkValue` passed: substitutes them, parses the result again,
 * holds every rendered string to its template's static text, and the minified policy to STS's
 * limit, before hashing it.
 * @internal
 */
export const renderChecked = async (
  compiled: CompiledTemplate,
  values: ReadonlyMap<string, string>,
): Promise<RenderedPolicy> => {
  const checks: Array<[string, string]> = []
  const policy = substitute(compiled.source, values, checks)
  const text = JSON.stringify(policy)
  const reparsed = parsePolicy(text, 'identity')
  if (!reparsed.ok || checks.some(([template, rendered]) => !shapeOf(template).test(rendered))) {
    throw new VendError('ERR_POLICY_INVALID', 'the rendered policy failed its re-check')
  }
  const bytes = utf8(text).length
  if (bytes > MAX_POLICY_BYTES) {
    throw new VendError(
      'ERR_POLICY_TOO_LARGE',
      `the rendered policy exceeds ${MAX_POLICY_BYTES} bytes`,
    )
  }
  return { text, sha256: await sha256Hex(text), bytes, values }
}

/**
 * Renders a template for one caller. Each value must match its variable's pattern and carry no
 * forbidden character; the result is parsed again, every rendered string must keep its template's
 * static text, and the minified policy must fit STS's limit — all before any STS call.
 * @public
 */
export const renderTemplate = async (
  compiled: CompiledTemplate,
  supplied: Readonly<Record<string, string | undefined>>,
): Promise<RenderedPolicy> => {
  const values = new Map<string, string>()
  for (const name of compiled.used) {
    values.set(name, checkValue(name, supplied[name], patternFor(name, compiled.variables)))
  }
  return renderChecked(compiled, values)
}
