import { readFileSync } from 'node:fs'

/** A raw HTTP/1.1 request as captured off the wire, with lowercased header names. */
export interface CapturedRequest {
  readonly method: string
  readonly target: string
  readonly headers: Record<string, string>
  readonly body: Uint8Array
}

/** Parses one of test/vectors/captured-*.txt (CRLF head, raw body). */
export const readCapturedRequest = (file: string): CapturedRequest => {
  const raw = readFileSync(new URL(`../../vectors/${file}`, import.meta.url))
  const split = raw.indexOf('\r\n\r\n')
  const [requestLine, ...lines] = raw.subarray(0, split).toString('utf8').split('\r\n')
  const [method, target] = requestLine!.split(' ')
  const headers: Record<string, string> = {}
  for (const line of lines) {
    const colon = line.indexOf(':')
    headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim()
  }
  return {
    method: method!,
    target: target!,
    headers,
    body: new Uint8Array(raw.subarray(split + 4)),
  }
}
