/** True for 127.0.0.0/8, ::1 and localhost: the only hosts a test may connect to. */
export const isLoopbackHost = (host: string): boolean => {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase()
  if (h === 'localhost' || h.endsWith('.localhost')) return true
  if (h === '::1' || h === '0:0:0:0:0:0:0:1') return true
  if (/^::ffff:127\.\d+\.\d+\.\d+$/.test(h)) return true
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h)
}

/**
 * Where a `Socket#connect(...)` call would go, from any of its argument shapes: `(options)`,
 * `(port, host)`, `(path)` and net's internal normalized `[options, cb]` array. Mirrors net's own
 * rule: a non-empty string `path` means a Unix socket (http's agent passes `path: null`).
 * Returns undefined for a Unix socket, which never leaves the machine.
 */
export const connectTarget = (args: readonly unknown[]): string | undefined => {
  const [first, second] = args
  if (Array.isArray(first)) return connectTarget(first)
  if (typeof first === 'object' && first !== null) {
    const options = first as { host?: unknown; path?: unknown }
    if (typeof options.path === 'string' && options.path !== '') return undefined
    return typeof options.host === 'string' && options.host !== '' ? options.host : 'localhost'
  }
  if (typeof first === 'number' || (typeof first === 'string' && /^\d+$/.test(first))) {
    return typeof second === 'string' && second !== '' ? second : 'localhost'
  }
  return undefined // a path string: Unix socket
}

const DENY = Symbol.for('credvend.test.denyHosts')

/**
 * Extra hosts the guard refuses although they are loopback. Lets the guard's own test prove it
 * is wired into fetch and node:http with a target that stays on this machine even if it fails.
 */
export const extraDeniedHosts = (): Set<string> =>
  ((globalThis as Record<symbol, Set<string>>)[DENY] ??= new Set())

export const isAllowedHost = (host: string): boolean =>
  isLoopbackHost(host) && !extraDeniedHosts().has(host)
