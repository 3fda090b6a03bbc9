/** RFC 9110 token characters: what a header name may hold. */
const TOKEN = /^[!#$%&'*+\-.^`|~0-9A-Za-z]+$/
/** Leading and trailing HTTP whitespace, removed from every value (Fetch "normalize"). */
const EDGE_SPACE = /^[\t\n\r ]+|[\t\n\r ]+$/g
const FORBIDDEN_IN_VALUE = /[\0\r\n]/

const checkedName = (name: string): string => {
  const text = String(name)
  if (!TOKEN.test(text)) throw new TypeError(`Headers: invalid header name "${text}"`)
  return text.toLowerCase()
}

const checkedValue = (value: string): string => {
  const text = String(value).replace(EDGE_SPACE, '')
  if (FORBIDDEN_IN_VALUE.test(text)) throw new TypeError('Headers: invalid header value')
  return text
}

type Init = LightHeaders | Headers | Iterable<readonly [string, string]> | Record<string, string>

/**
 * The Fetch standard's `Headers`, small: the FC built-in bundle uses it in place of Node's (whose
 * first use loads all of undici, ≈ 35 ms of a cold instance's first answer), and http-fetch.ts
 * answers with it (undici's cost a cache miss about 25 µs to build and read). Names fold to lower
 * case, values are trimmed, repeated names join with ", " except `set-cookie`, and iteration is
 * sorted by name, as https://fetch.spec.whatwg.org/#headers-class says. Guards (immutable
 * headers) are not kept: nothing in credvend relies on a TypeError from changing a response's
 * headers.
 */
export class LightHeaders {
  /** Values by lower-case name, in the order appended. */
  readonly #values = new Map<string, string[]>()

  constructor(init?: Init) {
    if (init === undefined || init === null) return
    if (init instanceof LightHeaders) {
      for (const [name, values] of init.#values) this.#values.set(name, [...values])
    } else if (typeof (init as Iterable<unknown>)[Symbol.iterator] === 'function') {
      for (const pair of init as Iterable<readonly [string, string]>) {
        if (pair.length !== 2) throw new TypeError('Headers: each pair must have two items')
        this.append(pair[0], pair[1])
      }
    } else if (typeof init === 'object') {
      for (const name of Object.keys(init))
        this.append(name, (init as Record<string, string>)[name]!)
    } else {
      throw new TypeError('Headers: init must be an object')
    }
  }

  append(name: string, value: string): void {
    const key = checkedName(name)
    const text = checkedValue(value)
    const values = this.#values.get(key)
    if (values) values.push(text)
    else this.#values.set(key, [text])
  }

  set(name: string, value: string): void {
    this.#values.set(checkedName(name), [checkedValue(value)])
  }

  delete(name: string): void {
    this.#values.delete(checkedName(name))
  }

  get(name: string): string | null {
    return this.#values.get(checkedName(name))?.join(', ') ?? null
  }

  has(name: string): boolean {
    return this.#values.has(checkedName(name))
  }

  getSetCookie(): string[] {
    return [...(this.#values.get('set-cookie') ?? [])]
  }

  /** The sorted and combined list iteration walks (https://fetch.spec.whatwg.org/#concept-header-list-sort-and-combine). */
  #sorted(): [string, string][] {
    const names = [...this.#values.keys()].sort()
    const pairs: [string, string][] = []
    for (const name of names) {
      const values = this.#values.get(name)!
      if (name === 'set-cookie') for (const value of values) pairs.push([name, value])
      else pairs.push([name, values.join(', ')])
    }
    return pairs
  }

  forEach(callback: (value: string, name: string, headers: this) => void, thisArg?: unknown): void {
    for (const [name, value] of this.#sorted()) callback.call(thisArg, value, name, this)
  }

  *entries(): IterableIterator<[string, string]> {
    yield* this.#sorted()
  }

  *keys(): IterableIterator<string> {
    for (const [name] of this.#sorted()) yield name
  }

  *values(): IterableIterator<string> {
    for (const [, value] of this.#sorted()) yield value
  }

  [Symbol.iterator](): IterableIterator<[string, string]> {
    return this.entries()
  }

  get [Symbol.toStringTag]() {
    return 'Headers'
  }
}
