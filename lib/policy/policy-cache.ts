import { createLru } from '../cache/lru.ts'
import {
  checkValue,
  patternFor,
  renderChecked,
  type CompiledTemplate,
  type RenderedPolicy,
} from './template.ts'

/** Renderings kept per generation at the default session-cache size. */
export const POLICY_CACHE_ENTRIES = 10_000

/** Their byte budget at that size: a small share of a 128 MB Workers isolate. */
export const POLICY_CACHE_MAX_BYTES = 8 * 1024 * 1024

/**
 * An estimate of an entry's heap, on the high side: two bytes per UTF-16 unit of the text, of the
 * key and of the values kept (each value appears in the text, so neither is longer than it), plus
 * the digest, the values map, the objects and the cache's slot.
 */
const entryBytes = (rendered: RenderedPolicy) => 6 * rendered.text.length + 640

/** What a template reads of its caller. @internal */
export interface TemplateCaller {
  readonly id: string
  readonly sub: string
  readonly claims: Readonly<Record<string, unknown>>
}

type Params = Readonly<Record<string, string>>

/** The policy one caller gets from a templated profile. @internal */
export type PolicyRenderer = (caller: TemplateCaller, params: Params) => Promise<RenderedPolicy>

/** The renderings of one generation, shared by its profiles. @internal */
export type PolicyCache = ReturnType<typeof createPolicyCache>

/**
 * Renderings keyed by profile and the values its template used, bounded in entries and bytes. It
 * lives with one loaded configuration, so a reload starts from an empty one.
 * @internal
 */
export const createPolicyCache = (
  maxEntries = POLICY_CACHE_ENTRIES,
  maxBytes = POLICY_CACHE_MAX_BYTES,
) => createLru<string, RenderedPolicy>(maxEntries, { maxSize: maxBytes, sizeOf: entryBytes })

type Read = (caller: TemplateCaller, params: Params) => unknown

/** Where a variable's value comes from: the caller, a verified claim, or a declared parameter. */
const readerFor = (name: string): Read => {
  if (name === 'caller.id') return (caller) => caller.id
  if (name === 'caller.sub') return (caller) => caller.sub
  const field = name.slice(name.indexOf('.') + 1)
  if (name.startsWith('claims.')) return (caller) => caller.claims[field]
  return (_, params) => (Object.hasOwn(params, field) ? params[field] : undefined)
}

/**
 * A templated profile's renderer. Every value the template uses is checked on every call, in the
 * template's order, exactly as `renderTemplate` checks it; only then is the cache asked, so a
 * cached rendering is never served for a value that fails. A miss renders in full and keeps it.
 * `id` tells the profiles sharing `cache` apart and contains no newline.
 * @internal
 */
export const policyRenderer = (
  template: CompiledTemplate,
  cache: PolicyCache,
  id: string,
): PolicyRenderer => {
  const slots = [...template.used].map((name) => ({
    name,
    read: readerFor(name),
    pattern: patternFor(name, template.variables),
  }))
  const checked = (slot: (typeof slots)[number], caller: TemplateCaller, params: Params) => {
    const value = slot.read(caller, params)
    return checkValue(slot.name, typeof value === 'string' ? value : undefined, slot.pattern)
  }
  return async (caller, params) => {
    const checkedValues = slots.map((slot) => checked(slot, caller, params))
    // Checked values carry no control character, so newlines keep the key unambiguous.
    let key = id
    for (const value of checkedValues) key += `\n${value}`
    const found = cache.get(key)
    if (found) return found
    const values = new Map(slots.map((slot, i) => [slot.name, checkedValues[i]!]))
    const rendered = await renderChecked(template, values)
    cache.set(key, rendered)
    return rendered
  }
}
