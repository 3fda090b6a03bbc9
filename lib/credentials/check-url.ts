/**
 * Where a credentials URI may point: HTTPS anywhere, or plain HTTP only to loopback (aws
 * `checkUrl`). Anything else would send credentials over the network in the clear, or let a
 * misconfigured variable aim the chain at an attacker's plain-HTTP server.
 * @internal
 */
export const isAllowedCredentialsUrl = (url: URL): boolean => {
  if (url.protocol === 'https:') return true
  if (url.protocol !== 'http:') return false
  const host = url.hostname.replace(/^\[|\]$/g, '')
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host)
}
