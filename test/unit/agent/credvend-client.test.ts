import { describe, expect, it } from 'vitest'
import { CredvendRefusal, createCredvendClient } from '../../../lib/agent/credvend-client.ts'
import { refusedForBeingAccessKey } from '../../../lib/agent/refused-for-being-access-key.ts'
import { VendError } from '../../../lib/errors.ts'
import { jsonResponse, scriptedFetch } from '../../helpers/scripted-fetch.ts'

const NOW = new Date('2026-11-22T10:00:00Z')
const PAYLOAD = 'an upstream message that must never be repeated'

const client = (fetchFn: typeof fetch) =>
  createCredvendClient({
    url: 'http://127.0.0.1:8787',
    profile: 'svc',
    bearer: async () => 'cvk_test_key',
    fetch: fetchFn,
    now: () => NOW,
  })

const failureOf = async (answer: () => Response | Promise<Response>) => {
  const error = await client(scriptedFetch(answer).fetch)
    .vend()
    .then(
      () => undefined,
      (e: unknown) => e,
    )
  if (!(error instanceof VendError)) throw new Error(`expected a VendError, got ${String(error)}`)
  expect(error.message).not.toContain(PAYLOAD)
  return error
}

const answer = (status: number, Code?: string) => () =>
  jsonResponse({ ...(Code ? { Code } : {}), Message: PAYLOAD }, status)

const accessKey = () =>
  jsonResponse({
    Code: 'Success',
    AccessKeyId: 'LTAI-erp',
    AccessKeySecret: 'erp-secret',
    Expiration: '2026-11-22T16:00:00Z',
  })

describe("the vend client's errors", () => {
  it('no answer from credvend — network, timeout, or a gateway status — is unavailable and retryable', async () => {
    const network = await failureOf(() => {
      throw new TypeError('fetch failed')
    })
    const timeout = await failureOf(() => {
      throw new DOMException('The operation was aborted due to timeout', 'TimeoutError')
    })
    for (const error of [network, timeout])
      expect(error).toMatchObject({ code: 'ERR_PROVIDER_UNAVAILABLE', retryable: true })
    for (const status of [502, 503, 504]) {
      const error = await failureOf(answer(status, 'ERR_STS_UNAVAILABLE'))
      expect(error, String(status)).toMatchObject({
        code: 'ERR_PROVIDER_UNAVAILABLE',
        retryable: true,
      })
      expect(error.message).toContain(`HTTP ${status} ERR_STS_UNAVAILABLE`)
      expect(error).not.toBeInstanceOf(CredvendRefusal)
    }
  })

  it('a 502 carrying a refusal of STS (ERR_STS_DENIED) is a refusal; one with no code of credvend is a gateway', async () => {
    const denied = await failureOf(answer(502, 'ERR_STS_DENIED'))
    expect(denied).toBeInstanceOf(CredvendRefusal)
    expect(denied).toMatchObject({ httpStatus: 502, serverCode: 'ERR_STS_DENIED' })
    expect(await failureOf(answer(502))).toMatchObject({ code: 'ERR_PROVIDER_UNAVAILABLE' })
  })

  it("credvend's own 500 is a refusal that may pass on retry, not an unreachable server", async () => {
    const internal = await failureOf(answer(500, 'ERR_INTERNAL'))
    expect(internal).toBeInstanceOf(CredvendRefusal)
    expect(internal).toMatchObject({
      code: 'ERR_PROVIDER_MISCONFIGURED',
      retryable: true,
      httpStatus: 500,
      serverCode: 'ERR_INTERNAL',
      message: 'credvend refused the vend: HTTP 500 ERR_INTERNAL',
    })
    expect(await failureOf(answer(501))).toMatchObject({
      code: 'ERR_PROVIDER_MISCONFIGURED',
      httpStatus: 501,
      serverCode: undefined,
    })
  })

  it('4xx refusals carry their status and Code; only 429 is retryable', async () => {
    expect(await failureOf(answer(400, 'ERR_BAD_REQUEST'))).toMatchObject({
      code: 'ERR_PROVIDER_MISCONFIGURED',
      retryable: false,
      httpStatus: 400,
      serverCode: 'ERR_BAD_REQUEST',
    })
    expect(await failureOf(answer(404, 'ERR_NOT_FOUND'))).toMatchObject({ retryable: false })
    expect(await failureOf(answer(429, 'ERR_RATE_LIMITED'))).toMatchObject({ retryable: true })
    // A Code that is not credvend's shape is not repeated.
    expect((await failureOf(answer(403, 'not a code <b>'))).message).toBe(
      'credvend refused the vend: HTTP 403',
    )
  })
})

describe('refusedForBeingAccessKey', () => {
  /** The refusal a vend with a duration got, then what a plain vend would answer. */
  const probe = async (status: number, Code: string) => {
    const script = scriptedFetch(answer(status, Code), accessKey)
    const vend = client(script.fetch)
    const refusal = await vend.vend({ durationSeconds: 3600 }).then(
      () => undefined,
      (e: unknown) => e,
    )
    const result = await refusedForBeingAccessKey(vend, refusal)
    return { result, calls: script.requests.length }
  }

  it("probes with one plain vend only after the access-key profile's own refusal, 400 ERR_BAD_REQUEST", async () => {
    expect(await probe(400, 'ERR_BAD_REQUEST')).toEqual({ result: true, calls: 2 })
  })

  it('fetches no AccessKey after any other refusal', async () => {
    for (const [status, code] of [
      [403, 'ERR_NARROWING_DENIED'],
      [404, 'ERR_NOT_FOUND'],
      [401, 'ERR_AUTH_KEY_INVALID'],
      [400, 'ERR_POLICY_VALUE'],
      [500, 'ERR_INTERNAL'],
      [503, 'ERR_PROVIDER_UNAVAILABLE'],
    ] as const)
      expect(await probe(status, code), `${status} ${code}`).toEqual({ result: false, calls: 1 })
  })
})
