import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ConfigInput } from '../../lib/config/schema.ts'
import { DEMO_ACCOUNT_ID } from '../../lib/emulator/demo-world.ts'
import type { RamSecret } from '../../lib/emulator/kms/kms-secrets.ts'
import { randomHexId } from '../../lib/runtime/deps.ts'
import { createStsClient } from '../../lib/sts/client.ts'
import type { TestEmulator } from '../helpers/emulator.ts'
import { startVendHarness, type VendHarness } from '../helpers/vend-harness.ts'

const HOUR = 3600
const CONSUMERS = 5

const akProfile = (secretName: string, overlapSeconds: number) => ({
  kind: 'access-key' as const,
  allow: [{ apiKey: 'acme' }],
  secretName,
  rotationDelaySeconds: 60,
  overlapSeconds,
})
const withAccessKeys =
  (internal: boolean) =>
  (c: ConfigInput, emulator: TestEmulator): ConfigInput => ({
    ...c,
    kms: { endpoint: emulator.kmsEndpoint },
    exposeInternalRoutes: internal,
    profiles: {
      ...c.profiles,
      'erp-overlap': akProfile('erp-overlap', 1800),
      'erp-no-overlap': akProfile('erp-no-overlap', 0),
      'erp-outage': akProfile('erp-outage', 0),
      'erp-reports': akProfile('erp-reports', 0),
      'erp-circuit': akProfile('erp-circuit', 1800),
    },
  })

let h: VendHarness

/** A RAM user whose key a RAMCredentials secret rotates hourly, with the given overlap. */
const newSecret = (name: string, overlapSeconds: number): RamSecret => {
  const user = h.emulator.world.createUser(DEMO_ACCOUNT_ID, `${name}-user`, {
    policies: [
      {
        Version: '1',
        Statement: [{ Effect: 'Allow', Action: 'sts:GetCallerIdentity', Resource: '*' }],
      },
    ],
  })
  return h.emulator.kms.secrets.createRamSecret(DEMO_ACCOUNT_ID, name, {
    user,
    rotationIntervalSeconds: HOUR,
    overlapSeconds,
  })
}

const vend = async (profile: string, token = h.acmeKey) => {
  const res = await h.request(`/v1/credentials/${profile}`, { method: 'POST', token })
  return {
    status: res.status,
    body: res.json() as {
      Code: string
      AccessKeyId: string
      AccessKeySecret: string
      Expiration: string
      SecurityToken?: string
    },
  }
}

/** What a legacy consumer does with its pair: a signed call the emulator's STS verifies. */
const useKey = (pair: { AccessKeyId: string; AccessKeySecret: string }) =>
  createStsClient(
    { endpoint: h.emulator.stsEndpoint },
    { fetch, now: h.emulator.now, randomId: randomHexId },
  )
    .getCallerIdentity({
      accessKeyId: pair.AccessKeyId,
      accessKeySecret: pair.AccessKeySecret,
      source: 'consumer',
    })
    .then(
      () => true,
      () => false,
    )

/**
 * Consumers polling every 2 minutes across three hourly rotations, which the test drives at the
 * secret's NextRotationDate — or earlier, like an emergency rotation no schedule announced. Each fetches again at the Expiration it was given; a refused call is
 * reported once and retried once. Returns the failures left after that retry.
 */
const stream = async (profile: string, secret: RamSecret, rotateEarlySeconds = 0) => {
  const state = Array.from({ length: CONSUMERS }, () => ({
    pair: undefined as undefined | { AccessKeyId: string; AccessKeySecret: string },
    fetchAtMs: 0,
  }))
  let failures = 0
  let reports = 0
  let rotations = 0
  try {
    for (let t = 0; t <= 3 * HOUR + 600; t += 120) {
      h.emulator.clock.shift(t * 1000)
      if (h.emulator.now().getTime() >= secret.nextRotation.getTime() - rotateEarlySeconds * 1000) {
        h.emulator.kms.secrets.rotate(secret)
        rotations++
      }
      for (const c of state) {
        if (!c.pair || h.emulator.now().getTime() >= c.fetchAtMs) {
          const { status, body } = await vend(profile)
          expect(status).toBe(200)
          c.pair = body
          c.fetchAtMs = Date.parse(body.Expiration)
        }
        const pair = c.pair!
        if (await useKey(pair)) continue
        reports++
        const res = await h.request(`/v1/credentials/${profile}/report-invalid`, {
          method: 'POST',
          token: h.acmeKey,
          body: { AccessKeyId: pair.AccessKeyId },
        })
        const retried = res.status === 200 ? (res.json() as typeof pair) : pair
        c.pair = retried
        if (!(await useKey(retried))) failures++
      }
    }
  } finally {
    h.emulator.clock.reset()
  }
  return { failures, reports, rotations }
}

beforeAll(async () => {
  h = await startVendHarness({ config: withAccessKeys(true) })
})
afterAll(() => h.close())

describe('access-key profiles', () => {
  it('answer with Code, AccessKeyId, AccessKeySecret and Expiration, and no SecurityToken', async () => {
    const secret = newSecret('erp-overlap', 1800)
    const { status, body } = await vend('erp-overlap')
    expect(status).toBe(200)
    expect(Object.keys(body).sort()).toEqual([
      'AccessKeyId',
      'AccessKeySecret',
      'Code',
      'Expiration',
    ])
    expect(body.AccessKeyId).toBe(secret.current.accessKeyId)
    expect(Date.parse(body.Expiration)).toBe(
      Math.floor(secret.nextRotation.getTime() / 1000) * 1000,
    )
    expect((await vend('erp-overlap', h.otherKey)).status).toBe(404)
  })

  it('with overlap > 0: a continuous stream across three rotations sees zero failures, at most 2 KMS calls per rotation', async () => {
    const secret = h.emulator.kms.secrets.find(DEMO_ACCOUNT_ID, 'erp-overlap')!
    const kmsBefore = h.emulator.kms.calls.getSecretValue
    const result = await stream('erp-overlap', secret)
    const kmsCalls = h.emulator.kms.calls.getSecretValue - kmsBefore
    console.log(
      `access-key stream, overlap 1800 s: ${result.rotations} rotations, ${result.failures} failures, ${result.reports} reports, ${kmsCalls} KMS calls (${(kmsCalls / result.rotations).toFixed(2)} per rotation)`,
    )
    expect(result.rotations).toBe(3)
    expect(result.failures).toBe(0)
    expect(result.reports).toBe(0)
    expect(kmsCalls / result.rotations).toBeLessThanOrEqual(2)
  })

  it('with overlap 0 and rotations before the announced date: each consumer recovers through the report path within one retry', async () => {
    const secret = newSecret('erp-no-overlap', 0)
    const result = await stream('erp-no-overlap', secret, 1800)
    console.log(
      `access-key stream, overlap 0, rotated 30 min early: ${result.rotations} rotations, ${result.failures} failures after one retry, ${result.reports} reports`,
    )
    expect(result.rotations).toBe(6)
    expect(result.failures).toBe(0)
    expect(result.reports).toBeGreaterThan(0) // the report path was really taken
    expect(result.reports).toBeLessThanOrEqual(CONSUMERS * result.rotations)
  })

  it('KMS down for 10 minutes: still-valid keys are served, nothing once it cannot be valid, refresh resumes after', async () => {
    const secret = newSecret('erp-outage', 0)
    const first = await vend('erp-outage')
    const rotationAt = secret.nextRotation.getTime() - Date.now()
    try {
      h.emulator.kms.setDown(true)
      h.emulator.clock.shift(rotationAt - 5 * 60_000) // outage from 5 minutes before the rotation …
      expect((await vend('erp-outage')).body.AccessKeyId).toBe(first.body.AccessKeyId)
      h.emulator.clock.shift(rotationAt - 60_000)
      expect((await vend('erp-outage')).body.AccessKeyId).toBe(first.body.AccessKeyId)
      h.emulator.clock.shift(rotationAt + 1_000)
      h.emulator.kms.secrets.rotate(secret) // the old key is dead now (overlap 0)
      const during = await vend('erp-outage')
      expect([during.status, (during.body as unknown as { Code: string }).Code]).toEqual([
        503,
        'ERR_KMS_UNAVAILABLE',
      ])
      h.emulator.clock.shift(rotationAt + 5 * 60_000) // … to 5 minutes after it
      h.emulator.kms.setDown(false)
      const after = await vend('erp-outage')
      expect(after.status).toBe(200)
      expect(after.body.AccessKeyId).toBe(secret.current.accessKeyId)
      expect(await useKey(after.body)).toBe(true)
    } finally {
      h.emulator.kms.setDown(false)
      h.emulator.clock.reset()
    }
  })

  it('KMS down: after upstream.circuitFailures failed reads the circuit opens, the held pair is served without calling KMS, and a trial call closes it', async () => {
    const secret = newSecret('erp-circuit', 1800)
    const first = await vend('erp-circuit')
    const rotationAt = secret.nextRotation.getTime() - Date.now()
    const kmsCalls = () => h.credvend.stats().kmsCalls
    const metric = async (name: string) =>
      (await h.request('/metrics')).text.split('\n').find((l) => l.startsWith(`${name} `))
    try {
      h.emulator.kms.setDown(true)
      // Past the planned re-read (rotation + 60 s + jitter), well inside the overlap: the old pair still works.
      h.emulator.clock.shift(rotationAt + 120_000)
      h.emulator.kms.secrets.rotate(secret)
      const calls = kmsCalls()
      for (let i = 0; i < 3; i++)
        expect((await vend('erp-circuit')).body.AccessKeyId).toBe(first.body.AccessKeyId)
      expect(kmsCalls() - calls).toBe(3) // circuitFailures in the harness
      expect(await metric('credvend_kms_circuit_open')).toBe('credvend_kms_circuit_open 1')
      const open = await vend('erp-circuit')
      expect([open.status, open.body.AccessKeyId]).toEqual([200, first.body.AccessKeyId])
      expect(kmsCalls() - calls).toBe(3) // failed fast: no call while open
      h.emulator.kms.setDown(false)
      h.emulator.clock.shift(rotationAt + 120_000 + 31_000) // past circuitCooldownMs
      const after = await vend('erp-circuit')
      expect(after.body.AccessKeyId).toBe(secret.current.accessKeyId)
      expect(kmsCalls() - calls).toBe(4)
      expect(await metric('credvend_kms_circuit_open')).toBe('credvend_kms_circuit_open 0')
    } finally {
      h.emulator.kms.setDown(false)
      h.emulator.clock.reset()
    }
  })

  it('100 simultaneous reports trigger exactly one refresh; callers of other profiles are refused', async () => {
    const secret = newSecret('erp-reports', 0)
    const { body } = await vend('erp-reports')
    h.emulator.kms.secrets.rotate(secret)
    const before = h.emulator.kms.calls.getSecretValue
    const answers = await Promise.all(
      Array.from({ length: 100 }, () =>
        h.request('/v1/credentials/erp-reports/report-invalid', {
          method: 'POST',
          token: h.acmeKey,
          body: { AccessKeyId: body.AccessKeyId },
        }),
      ),
    )
    expect(h.emulator.kms.calls.getSecretValue - before).toBe(1)
    expect(new Set(answers.map((a) => `${a.status} ${a.json().AccessKeyId}`))).toEqual(
      new Set([`200 ${secret.current.accessKeyId}`]),
    )
    const stranger = await h.request('/v1/credentials/erp-reports/report-invalid', {
      method: 'POST',
      token: h.otherKey,
      body: { AccessKeyId: secret.current.accessKeyId },
    })
    expect(stranger.status).toBe(404)
    const sts = await h.request('/v1/credentials/plain/report-invalid', {
      method: 'POST',
      token: h.acmeKey,
      body: { AccessKeyId: 'STS.whatever1' },
    })
    expect(sts.status).toBe(404)
    // A report right after a refresh, about the pair now current, is rate-limited.
    const again = await h.request('/v1/credentials/erp-reports/report-invalid', {
      method: 'POST',
      token: h.acmeKey,
      body: { AccessKeyId: secret.current.accessKeyId },
    })
    expect([again.status, again.headers.get('retry-after') !== null]).toEqual([429, true])
    expect(h.emulator.kms.calls.getSecretValue - before).toBe(1)
  })

  it("answer 404 through the public function's app", async () => {
    const pub = await startVendHarness({ config: withAccessKeys(false) })
    try {
      const res = await pub.request('/v1/credentials/erp-overlap', {
        method: 'POST',
        token: pub.acmeKey,
      })
      expect([res.status, res.json().Code]).toEqual([404, 'ERR_NOT_FOUND'])
      expect(pub.emulator.kms.calls.received).toBe(0)
    } finally {
      await pub.close()
    }
  })

  it('tell a caller they are not allowed nothing about their kind: narrowing gets the same 404', async () => {
    // `other` is not allowed erp-overlap; a body an access-key profile refuses must not say so.
    const answers = await Promise.all(
      ['erp-overlap', 'no-such-profile'].map(async (profile) => {
        const res = await h.request(`/v1/credentials/${profile}`, {
          token: h.otherKey,
          body: { durationSeconds: 900 },
        })
        return [res.status, res.json().Code]
      }),
    )
    expect(answers).toEqual([
      [404, 'ERR_NOT_FOUND'],
      [404, 'ERR_NOT_FOUND'],
    ])
  })
})
