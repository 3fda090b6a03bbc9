import { describe, expect, it } from 'vitest'
import { createAudited, type AuditSubject } from '../../../lib/audit/audited.ts'
import { VendError } from '../../../lib/errors.ts'
import { createCredvendMetrics } from '../../../lib/metrics/credvend-metrics.ts'

const setup = () => {
  const lines: string[] = []
  const metrics = createCredvendMetrics()
  const { audited, outcomes } = createAudited({
    log: (entry) => void lines.push(JSON.stringify(entry)),
    metrics,
    elapsedMs: () => 0,
    admit: async () => {},
  })
  return { lines, metrics, audited, outcomes }
}

const vend: AuditSubject = {
  requestId: 'r1',
  callerId: 'jwt.web.alice',
  profile: 'p',
  generation: 'g',
}

describe('createAudited', () => {
  it('writes one ok line with the subject and the work fields, in a fixed order', async () => {
    const { lines, audited } = setup()
    await audited(vend, async () => ({
      cache: 'hit',
      audit: {
        roleArn: 'acs:ram::1:role/app',
        sessionName: 'jwt.web.alice',
        policySha256: null,
        durationSeconds: 900,
        cache: 'hit',
        stsRequestId: 'REQ-1',
      },
    }))
    expect(lines).toEqual([
      '{"type":"audit","requestId":"r1","callerId":"jwt.web.alice","profile":"p","generation":"g",' +
        '"outcome":"ok","roleArn":"acs:ram::1:role/app","sessionName":"jwt.web.alice",' +
        '"policySha256":null,"durationSeconds":900,"cache":"hit","stsRequestId":"REQ-1"}',
    ])
  })

  it('leaves out what the work does not report, and names the access-key path and its event', async () => {
    const { lines, audited } = setup()
    const report: AuditSubject = { ...vend, kind: 'access-key', event: 'report-invalid' }
    await audited(report, async () => ({ cache: 'miss', audit: { cache: 'miss' } }))
    expect(JSON.parse(lines[0]!)).toEqual({
      type: 'audit',
      requestId: 'r1',
      callerId: 'jwt.web.alice',
      profile: 'p',
      generation: 'g',
      kind: 'access-key',
      event: 'report-invalid',
      outcome: 'ok',
      cache: 'miss',
    })
  })

  it('writes one error line with the upstream code and STS request id, and counts the outcome', async () => {
    const { lines, audited, outcomes } = setup()
    const failure = new VendError('ERR_STS_REJECTED', 'refused', {
      upstream: { service: 'sts', code: 'NoPermission', requestId: 'REQ-9' },
    })
    await expect(audited(vend, () => Promise.reject(failure))).rejects.toBe(failure)
    expect(JSON.parse(lines[0]!)).toEqual({
      type: 'audit',
      requestId: 'r1',
      callerId: 'jwt.web.alice',
      profile: 'p',
      generation: 'g',
      outcome: 'ERR_STS_REJECTED',
      upstreamCode: 'NoPermission',
      stsRequestId: 'REQ-9',
    })
    expect(outcomes()).toEqual({ ERR_STS_REJECTED: 1 })
  })
})
