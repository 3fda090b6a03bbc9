import { VendError } from '../errors.ts'
import { pascalCase } from './pascal-case.ts'

/**
 * A secret a rendered document refers to without holding it, and the names it takes where the
 * deploying tool asks for it.
 * @public
 */
export interface SecretPlaceholder {
  /** Exactly as the trust-policy renderer writes it: `{{env:NAME}}` or `{{kmsSecret:NAME}}`. */
  readonly text: string
  readonly source: 'env' | 'kmsSecret'
  readonly name: string
  /** A sensitive Terraform variable, so `TF_VAR_<name>` carries the value. */
  readonly terraformVariable: string
  /** A NoEcho ROS parameter: ROS parameter names are letters and digits only. */
  readonly rosParameter: string
}

const PLACEHOLDER = /\{\{(env|kmsSecret):([^{}"]+)\}\}/g

const words = (name: string) => name.split(/[^A-Za-z0-9]+/).filter(Boolean)

const variableName = (source: string, name: string) => {
  const base = words(name).join('_').toLowerCase()
  return source === 'env' && /^[a-z]/.test(base) ? base : `${source.toLowerCase()}_${base}`
}

const parameterName = (source: string, name: string) =>
  source === 'env' && /^[A-Za-z]/.test(name)
    ? pascalCase(name)
    : `${pascalCase(source)}${pascalCase(name)}`

/**
 * Every secret placeholder in a document, each once. Two secrets that would share a variable or
 * parameter name are refused: one would silently stand in for the other; so is a placeholder it
 * cannot read.
 * @public
 */
export const secretPlaceholders = (document: unknown): SecretPlaceholder[] => {
  const found = new Map<string, SecretPlaceholder>()
  for (const [text, source, name] of JSON.stringify(document).matchAll(PLACEHOLDER)) {
    if (found.has(text)) continue
    found.set(text, {
      text,
      source: source as 'env' | 'kmsSecret',
      name: name!,
      terraformVariable: variableName(source!, name!),
      rosParameter: parameterName(source!, name!),
    })
  }
  const all = [...found.values()]
  // A reference this pattern cannot read (a name holding a brace or a quote) would otherwise stay
  // in the document and be applied as the ExternalId itself.
  let rest = JSON.stringify(document)
  for (const p of all) rest = rest.replaceAll(p.text, '')
  if (rest.includes('{{'))
    throw new VendError(
      'ERR_CONFIG_INVALID',
      'a secret reference whose name the rendered infrastructure cannot carry (braces or quotes)',
    )
  for (const key of ['terraformVariable', 'rosParameter'] as const) {
    const names = all.map((p) => p[key])
    const clash = names.find((n, i) => names.indexOf(n) !== i)
    if (clash)
      throw new VendError(
        'ERR_CONFIG_INVALID',
        `two secret references would both be named ${clash} in the rendered infrastructure`,
      )
  }
  return all
}
