import { describe, expect, it, vi } from 'vitest'
import { createHubChain } from '../../../lib/vend/hub-chain.ts'
import type { CompiledHop } from '../../../lib/config/load.ts'
import type { Credentials } from '../../../lib/credentials/types.ts'
import type { AssumeRoleInput, AssumeRoleResult } from '../../../lib/sts/schemas.ts'
import type { StsClient } from '../../../lib/sts/client.ts'
import { VendError } from '../../../lib/errors.ts'
import { deferred } from '../../helpers/deferred.ts'

const T0 = Date.parse('2026-03-01T00:00:00Z')
const HOUR = 3_600_000

const hubA: CompiledHop = {
  roleArn: 'acs:ram::111111111111:role/hub-a',
  externalId: undefined,
  durationSeconds: 3600,
}
const hubB: CompiledHop = {
  roleArn: 'acs:ram::222222222222:role/hub-b',
  externalId: 'ext-b-0001',
  durationSeconds: 3600,
}

const source = (id = 'AK-self', expiration?: Date): Credentials => ({
  accessKeyId: id,
  accessKeySecret: 'secret',
  source: 'env',
  ...(expiration ? { expiration } : {}),
})

/**
 * A fake STS whose every AssumeRole mints new credentials (`STS.1`, `STS.2`, …) valid for the
 * requested duration from the fake clock's now. `hold()` makes the next replies wait for the test.
 */
const fakeSts = (clock: { ms: number }) => {
  let minted = 0
  let gate: Promise<void> | undefined
  const assumeRole = vi.fn(
    async (_from: Credentials, input: AssumeRoleInput): Promise<AssumeRoleResult> => {
      const n = ++minted
      const issuedAt = clock.ms
      if (gate) await gate
      return {
        requestId: `req-${n}`,
        assumedRoleUser: { arn: `${input.roleArn}/credvend-hub`, assumedRoleId: `id:${n}` },
        credentials: {
          accessKeyId: `STS.${n}`,
          accessKeySecret: `secret-${n}`,
          securityToken: `token-${n}`,
          expiration: new Date(issuedAt + (input.durationSeconds ?? 3600) * 1000),
        },
      }
    },
  )
  const unused = () => {
    throw new Error('not used by the hub chain')
  }
  const sts: StsClient = {
    assumeRole,
    assumeRoleWithOidc: vi.fn(unused),
    getCallerIdentity: vi.fn(unused),
    clockOffsetMs: () => 0,
  }
  return {
    sts,
    assumeRole,
    hold() {
      const d = deferred<void>()
      gate = d.promise
      return () => {
        gate = undefined
        d.resolve()
      }
    },
  }
}

const setup = (sharePending = true) => {
  const clock = { ms: T0 }
  const fake = fakeSts(clock)
  const onCall = vi.fn()
  const chain = createHubChain({
    sts: fake.sts,
    now: () => new Date(clock.ms),
    sharePending,
    onCall,
  })
  return { clock, chain, onCall, ...fake }
}

describe('createHubChain', () => {
  it('walks each hop from the credentials of the hop before it', async () => {
    const { chain, assumeRole, onCall } = setup()
    const self = source()
    const last = await chain.walk('g1', [hubA, hubB], self, 0)
    expect(assumeRole).toHaveBeenCalledTimes(2)
    expect(onCall).toHaveBeenCalledTimes(2)
    const [first, second] = assumeRole.mock.calls
    expect(first![0]).toBe(self)
    // Strict: a hop without an ExternalId must not send the key at all.
    expect(first![1]).toStrictEqual({
      roleArn: hubA.roleArn,
      roleSessionName: 'credvend-hub',
      durationSeconds: 3600,
    })
    expect(second![0]).toMatchObject({ accessKeyId: 'STS.1', securityToken: 'token-1' })
    expect(second![1]).toEqual({
      roleArn: hubB.roleArn,
      roleSessionName: 'credvend-hub',
      durationSeconds: 3600,
      externalId: 'ext-b-0001',
    })
    expect(last).toMatchObject({ accessKeyId: 'STS.2', source: `hub:${hubB.roleArn}` })
  })

  it('returns the source itself for a chain without hops', async () => {
    const { chain, assumeRole } = setup()
    const self = source()
    expect(await chain.walk('g1', [], self, 0)).toBe(self)
    expect(assumeRole).not.toHaveBeenCalled()
  })

  it('N concurrent walks through the same hub make one STS call', async () => {
    const { chain, assumeRole, onCall, hold } = setup()
    const release = hold()
    const walks = Array.from({ length: 20 }, () => chain.walk('g1', [hubA], source(), 60_000))
    await Promise.resolve()
    expect(assumeRole).toHaveBeenCalledTimes(1)
    release()
    const results = await Promise.all(walks)
    expect(new Set(results.map((c) => c.accessKeyId))).toEqual(new Set(['STS.1']))
    expect(assumeRole).toHaveBeenCalledTimes(1)
    expect(onCall).toHaveBeenCalledTimes(1)
  })

  it('sharePending:false does not share a pending call', async () => {
    const { chain, assumeRole, hold } = setup(false)
    const release = hold()
    const walks = Array.from({ length: 3 }, () => chain.walk('g1', [hubA], source(), 60_000))
    await Promise.resolve()
    expect(assumeRole).toHaveBeenCalledTimes(3)
    release()
    const ids = (await Promise.all(walks)).map((c) => c.accessKeyId)
    expect(new Set(ids).size).toBe(3)
  })

  it('sharePending:false still reuses a settled session', async () => {
    const { chain, assumeRole } = setup(false)
    await chain.walk('g1', [hubA], source(), 60_000)
    await chain.walk('g1', [hubA], source(), 60_000)
    expect(assumeRole).toHaveBeenCalledTimes(1)
  })

  it('a hub session is reused while it outlives minValidMs and re-assumed after', async () => {
    const { clock, chain, assumeRole } = setup()
    const minValidMs = 15 * 60_000
    expect((await chain.walk('g1', [hubA], source(), minValidMs)).accessKeyId).toBe('STS.1')
    // Exactly minValidMs left still counts as outliving it.
    clock.ms = T0 + HOUR - minValidMs
    expect((await chain.walk('g1', [hubA], source(), minValidMs)).accessKeyId).toBe('STS.1')
    expect(assumeRole).toHaveBeenCalledTimes(1)
    clock.ms += 1
    expect((await chain.walk('g1', [hubA], source(), minValidMs)).accessKeyId).toBe('STS.2')
    expect(assumeRole).toHaveBeenCalledTimes(2)
  })

  it('a caller asking for more validity re-assumes a session others still reuse', async () => {
    const { clock, chain, assumeRole } = setup()
    await chain.walk('g1', [hubA], source(), 0)
    clock.ms = T0 + 30 * 60_000
    expect((await chain.walk('g1', [hubA], source(), 20 * 60_000)).accessKeyId).toBe('STS.1')
    expect((await chain.walk('g1', [hubA], source(), 40 * 60_000)).accessKeyId).toBe('STS.2')
    expect(assumeRole).toHaveBeenCalledTimes(2)
  })

  it('a hub session never outlives the credentials it was assumed from', async () => {
    const { clock, chain, assumeRole } = setup()
    const sourceExpiry = new Date(T0 + 20 * 60_000)
    const hub = await chain.walk('g1', [hubA], source('AK-self', sourceExpiry), 0)
    expect(hub.expiration).toEqual(sourceExpiry)
    // Reused only as long as the shorter expiry allows.
    clock.ms = T0 + 10 * 60_000
    await chain.walk('g1', [hubA], source('AK-self', sourceExpiry), 10 * 60_000)
    expect(assumeRole).toHaveBeenCalledTimes(1)
    clock.ms += 1
    await chain.walk('g1', [hubA], source('AK-self', sourceExpiry), 10 * 60_000)
    expect(assumeRole).toHaveBeenCalledTimes(2)
  })

  it('the cap carries down the chain: the last hub expires with the first source', async () => {
    const { chain } = setup()
    const sourceExpiry = new Date(T0 + 5 * 60_000)
    const last = await chain.walk('g1', [hubA, hubB], source('AK-self', sourceExpiry), 0)
    expect(last.expiration).toEqual(sourceExpiry)
  })

  it('keeps STS’s expiry when it is the earlier one', async () => {
    const { chain } = setup()
    const hub = await chain.walk('g1', [hubA], source('AK-self', new Date(T0 + 5 * HOUR)), 0)
    expect(hub.expiration).toEqual(new Date(T0 + HOUR))
  })

  it('new source credentials start a new chain', async () => {
    const { chain, assumeRole } = setup()
    await chain.walk('g1', [hubA, hubB], source('AK-old'), 0)
    expect(assumeRole).toHaveBeenCalledTimes(2)
    const last = await chain.walk('g1', [hubA, hubB], source('AK-new'), 0)
    expect(assumeRole).toHaveBeenCalledTimes(4)
    expect(assumeRole.mock.calls[2]![0]).toMatchObject({ accessKeyId: 'AK-new' })
    // The second hop is assumed from the new first hop, not the old one.
    expect(assumeRole.mock.calls[3]![0]).toMatchObject({ accessKeyId: 'STS.3' })
    expect(last.accessKeyId).toBe('STS.4')
  })

  it('keeps a separate session per hop position and role', async () => {
    const { chain, assumeRole } = setup()
    await chain.walk('g1', [hubA], source(), 0)
    await chain.walk('g1', [hubB], source(), 0)
    expect(assumeRole).toHaveBeenCalledTimes(2)
    expect(chain.size).toBe(2)
  })

  it('keepGeneration drops older generations', async () => {
    const { chain, assumeRole } = setup()
    await chain.walk('g1', [hubA, hubB], source(), 0)
    await chain.walk('g2', [hubA], source(), 0)
    expect(chain.size).toBe(3)
    chain.keepGeneration('g2')
    expect(chain.size).toBe(1)
    await chain.walk('g2', [hubA], source(), 0)
    expect(assumeRole).toHaveBeenCalledTimes(3)
    await chain.walk('g1', [hubA, hubB], source(), 0)
    expect(assumeRole).toHaveBeenCalledTimes(5)
  })

  it('keepGeneration does not mistake a generation for a prefix of another', async () => {
    const { chain } = setup()
    await chain.walk('g1', [hubA], source(), 0)
    await chain.walk('g10', [hubA], source(), 0)
    chain.keepGeneration('g1')
    expect(chain.size).toBe(1)
  })

  it('drops expired sessions when it stores a new one', async () => {
    const { clock, chain } = setup()
    await chain.walk('g1', [hubA], source('AK-1'), 0)
    await chain.walk('g1', [hubA], source('AK-2'), 0)
    expect(chain.size).toBe(2)
    clock.ms = T0 + HOUR
    await chain.walk('g1', [hubA], source('AK-3'), 0)
    expect(chain.size).toBe(1)
  })

  it('a failed hop caches nothing and fails every walk that shared it', async () => {
    const { chain, assumeRole } = setup()
    const denied = new VendError('ERR_STS_DENIED', 'NoPermission')
    assumeRole.mockRejectedValueOnce(denied)
    const walks = [chain.walk('g1', [hubA], source(), 0), chain.walk('g1', [hubA], source(), 0)]
    for (const walk of walks) await expect(walk).rejects.toBe(denied)
    expect(assumeRole).toHaveBeenCalledTimes(1)
    expect(chain.size).toBe(0)
    expect((await chain.walk('g1', [hubA], source(), 0)).accessKeyId).toBe('STS.1')
    expect(assumeRole).toHaveBeenCalledTimes(2)
  })
})

describe('hub sessions are keyed by everything the hop sends', () => {
  it('two profiles through one hub with different ExternalIds never share a session', async () => {
    const { chain, assumeRole } = setup()
    const self = source()
    const viaPartnerA = { ...hubB, externalId: 'ext-partner-a' }
    const viaPartnerB = { ...hubB, externalId: 'ext-partner-b' }
    const a = await chain.walk('g1', [viaPartnerA], self, 0)
    const b = await chain.walk('g1', [viaPartnerB], self, 0)
    expect(assumeRole).toHaveBeenCalledTimes(2)
    expect(a.accessKeyId).not.toBe(b.accessKeyId)
    expect(assumeRole.mock.calls.map(([, input]) => input.externalId)).toEqual([
      'ext-partner-a',
      'ext-partner-b',
    ])
  })

  it('nor do two hops that differ only in duration', async () => {
    const { chain, assumeRole } = setup()
    const self = source()
    await chain.walk('g1', [{ ...hubA, durationSeconds: 7200 }], self, 0)
    const short = await chain.walk('g1', [{ ...hubA, durationSeconds: 900 }], self, 0)
    expect(assumeRole).toHaveBeenCalledTimes(2)
    expect(assumeRole.mock.calls[1]![1].durationSeconds).toBe(900)
    expect(short.accessKeyId).toBe('STS.2')
  })
})
