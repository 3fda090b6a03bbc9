/** Clock and randomness for the emulator, injected like everywhere else in lib/. @public */
export interface EmulatorDeps {
  readonly now: () => Date
  readonly randomBytes: (length: number) => Uint8Array
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'

/** `length` characters of [A-Za-z0-9], unbiased (rejection sampling). @internal */
export const randomAlnum = (deps: EmulatorDeps, length: number): string => {
  let out = ''
  while (out.length < length) {
    for (const byte of deps.randomBytes(length * 2)) {
      if (byte < 248 && out.length < length) out += ALNUM[byte % 62]
    }
  }
  return out
}

/** A digit string, e.g. an account or role id. @internal */
export const randomDigits = (deps: EmulatorDeps, length: number): string =>
  Array.from(deps.randomBytes(length), (b, i) => (i === 0 ? 1 + (b % 9) : b % 10)).join('')

/** A request id in Alibaba's upper-case UUID shape. @internal */
export const randomRequestId = (deps: EmulatorDeps): string => {
  const hex = Array.from(deps.randomBytes(16), (b) => b.toString(16).padStart(2, '0'))
    .join('')
    .toUpperCase()
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}
