import { Hono } from 'hono/tiny'
import { randomRequestId, type EmulatorDeps } from '../emulator-deps.ts'
import type { World } from '../world.ts'
import { assumeRole } from './assume-role.ts'
import { assumeRoleWithOidc } from './assume-role-with-oidc.ts'
import { authenticate } from './authenticate.ts'
import { getCallerIdentity } from './get-caller-identity.ts'
import { createNonceStore } from './nonce-store.ts'
import { readRequest } from './read-request.ts'
import { STS_ERRORS, StsEmulatorError } from './sts-errors.ts'
import { STS_VERSION } from '../../sts/client.ts'

/** @public */
export interface StsEmulatorOptions {
  /** Timestamp tolerance either way; 15 minutes is commonly cited (unconfirmed). */
  readonly timestampWindowMs?: number
}

/** Counts of what the emulator answered, so tests assert on calls rather than on time. @public */
export interface StsCallCounter {
  /** Authenticated calls, per action. */
  readonly byAction: Map<string, number>
  /** Every request that reached the emulator, faulted ones included. */
  received: number
  /** When authenticated calls arrived (emulator clock, epoch ms), the latest 10,000. */
  readonly arrivals: Array<{ readonly action: string; readonly atMs: number }>
  total(): number
}

/** Outages a test can schedule: each queued fault answers one request instead of STS. @public */
export type StsFault = 'throttle' | 'unavailable' | 'hang'

/**
 * Standing fault modes, each hitting a fraction of requests deterministically (the k-th request of
 * every 1/fraction), so a test's counts are exact rather than probable. @public
 */
export interface StsFaultMode {
  /** `Throttling.User` (400) with `x-acs-retry-after: 1`. */
  readonly throttle?: number
  /** 503 `ServiceUnavailable`. */
  readonly unavailable?: number
  /** A 200 whose body is cut off mid-JSON. */
  readonly malformed?: number
  /** The connection is reset while the answer is being sent. */
  readonly reset?: number
  /** Added before every answer, in real milliseconds (keep it small). */
  readonly latencyMs?: number
  /**
   * STS's clock runs this far ahead of the emulator's (negative: behind), as when credvend's host
   * clock is wrong: timestamps outside the window get `InvalidTimeStamp.Expired`, and every
   * answer's `Date` header tells STS's time.
   */
  readonly skewMs?: number
}

const hits = (fraction: number | undefined, n: number) =>
  fraction !== undefined &&
  fraction > 0 &&
  Math.floor(n * fraction) !== Math.floor((n - 1) * fraction)

const faultResponse = (
  fault: StsFault,
  requestId: string,
  signal: AbortSignal,
): Promise<Response> | Response => {
  if (fault === 'hang') {
    // Answers only when the client gives up (or after a minute), like an unresponsive upstream.
    return new Promise((resolve) => {
      const done = () => resolve(new Response(null, { status: 504 }))
      signal.addEventListener('abort', done)
      setTimeout(done, 60_000)
    })
  }
  const [status, code, message, headers] =
    fault === 'throttle'
      ? [
          400,
          'Throttling.User',
          'Request was denied due to user flow control.',
          { 'x-acs-retry-after': '1' },
        ]
      : [
          503,
          'ServiceUnavailable',
          'The request has failed due to a temporary failure of the server.',
          {},
        ]
  return Response.json(
    { RequestId: requestId, HostId: 'sts.aliyuncs.com', Code: code, Message: message },
    { status, headers },
  )
}

/**
 * The STS emulator: a Hono app speaking STS's real wire format on `/`. It verifies RPC v1.0 and
 * ACS3 signatures, timestamps, nonces and security tokens, enforces trust and permission
 * policies, and answers in Alibaba's error body.
 * @example
 * const sts = createStsEmulator(world, { now: () => new Date(), randomBytes })
 * serve({ fetch: sts.app.fetch, hostname: '127.0.0.1', port: 0 })
 * @public
 */
export const createStsEmulator = (
  world: World,
  deps: EmulatorDeps,
  options: StsEmulatorOptions = {},
) => {
  const windowMs = options.timestampWindowMs ?? 15 * 60 * 1000
  const nonces = createNonceStore(windowMs)
  const anonymousActions = new Set(['AssumeRoleWithOIDC'])
  const calls: StsCallCounter = {
    byAction: new Map(),
    received: 0,
    arrivals: [],
    total: () => [...calls.byAction.values()].reduce((a, b) => a + b, 0),
  }
  const faults: StsFault[] = []
  let mode: StsFaultMode = {}
  let modeCount = 0
  const app = new Hono()

  // Real STS dates every answer; tests' clocks are steered, so the emulator states its own.
  app.use(async (c, next) => {
    await next()
    c.res.headers.set('Date', new Date(deps.now().getTime() + (mode.skewMs ?? 0)).toUTCString())
  })

  app.all('/', async (c) => {
    const requestId = randomRequestId(deps)
    const now = new Date(deps.now().getTime() + (mode.skewMs ?? 0))
    calls.received++
    const fault = faults.shift()
    if (fault) return faultResponse(fault, requestId, c.req.raw.signal)
    if (mode.latencyMs) await new Promise((resolve) => setTimeout(resolve, mode.latencyMs))
    const n = ++modeCount
    if (hits(mode.throttle, n)) return faultResponse('throttle', requestId, c.req.raw.signal)
    if (hits(mode.unavailable, n)) return faultResponse('unavailable', requestId, c.req.raw.signal)
    if (hits(mode.malformed, n))
      return new Response(`{"RequestId":"${requestId}","Credentials":{"AccessKeyId":"STS.`, {
        status: 200,
        headers: { 'content-type': 'application/json' },
      })
    if (hits(mode.reset, n)) {
      // The stream errors after the headers: the server drops the connection mid-answer.
      return new Response(
        new ReadableStream({
          pull: (controller) => controller.error(new Error('connection reset')),
        }),
        { status: 200, headers: { 'content-type': 'application/json' } },
      )
    }
    try {
      const call = await readRequest(c.req.raw)
      const auth = await authenticate(call, { world, nonces, now, windowMs, anonymousActions })
      calls.byAction.set(auth.action, (calls.byAction.get(auth.action) ?? 0) + 1)
      calls.arrivals.push({ action: auth.action, atMs: deps.now().getTime() })
      if (calls.arrivals.length > 10_000) calls.arrivals.shift()
      if (auth.version !== STS_VERSION) throw new StsEmulatorError('InvalidVersion')
      const secure = call.url.protocol === 'https:'
      if (auth.action === 'AssumeRoleWithOIDC') {
        return c.json(await assumeRoleWithOidc(world, auth.params, requestId, now))
      }
      if (!auth.principal) throw new StsEmulatorError('IncompleteSignature')
      if (auth.action === 'AssumeRole')
        return c.json(assumeRole(world, auth.principal, auth.params, requestId, secure))
      if (auth.action === 'GetCallerIdentity')
        return c.json(getCallerIdentity(auth.principal, requestId))
      throw new StsEmulatorError('InvalidApi.NotFound')
    } catch (error) {
      const e = error instanceof StsEmulatorError ? error : new StsEmulatorError('InternalError')
      const { status, message } = STS_ERRORS[e.code]
      return c.json(
        {
          RequestId: requestId,
          HostId: c.req.header('host') ?? 'sts.aliyuncs.com',
          Code: e.code,
          Message: `${message}${e.detail ?? ''}`,
          Recommend: `https://api.alibabacloud.com/troubleshoot?q=${e.code}&product=Sts&requestId=${requestId}`,
        },
        status,
      )
    }
  })

  app.all('*', (c) =>
    c.json(
      { Code: 'InvalidApi.NotFound', Message: STS_ERRORS['InvalidApi.NotFound'].message },
      404,
    ),
  )

  return {
    app,
    calls,
    /** Queues `count` faults; each answers one request. Tests only. */
    injectFaults: (fault: StsFault, count: number) =>
      faults.push(...Array.from({ length: count }, () => fault)),
    clearFaults: () => {
      faults.splice(0)
      mode = {}
    },
    /** Standing fault modes until cleared (clearFaults). Tests only. */
    setFaultMode: (next: StsFaultMode) => {
      mode = next
      modeCount = 0
    },
  }
}
